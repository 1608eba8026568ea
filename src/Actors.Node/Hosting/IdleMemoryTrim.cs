namespace Actors.Node.Hosting;

/// <summary>
/// Gives the memory of a burst of work (start-up, a reload, a crash loop that calmed down) back to the system once
/// the node is quiet again. The GC collects only when its allocation budget is used up, and a node that went idle
/// allocates next to nothing, so the garbage of its last burst stays committed for good: with 500 processes started,
/// its live heap is 8.8 MB and its anonymous memory 38 MiB; trimmed, 24.6 MiB (bench/README.md, issue 14). Every
/// <see cref="Period"/>, if the node allocated more than <see cref="WorthBytes"/> since the last trim but less than
/// <see cref="QuietBytes"/> during the last period, one aggressive collection (blocking, compacting, free memory
/// decommitted) runs: a few milliseconds once per burst, never while the node is busy (a child logging without pause
/// allocates far more than QuietBytes per period), so logging and restarts do not pay for it. Then malloc_trim gives
/// back the free pages of the C heaps, where the JIT and the runtime keep their own memory: a burst leaves them
/// mostly free but resident (with 500 processes, `[heap]` 8.4 → 2.1 MiB, node and watchdog PSS 71.5 → 65.4 MiB).
/// Capping the GC's gen0 budget instead (System.GC.Gen0MaxBudget) saved less and made a busy node collect far more
/// often (see Actors.Node.csproj).
/// The JIT keeps the memory of its compilations (slabs under 1 MiB, up to 16 MiB in all) for its next compilation,
/// and frees a cached slab only after two more passes of the finalizer thread at least 2 s apart (coreclr's
/// JitHost::reclaim). On an idle node that thread sleeps, so the slabs of start-up stayed: with one process, `[heap]`
/// held 9.7 MiB after the trim, live to malloc_trim. After its collection the trim therefore wakes the finalizer
/// thread <see cref="SlabPasses"/> more times, <see cref="SlabPassInterval"/> apart, and trims malloc again: `[heap]`
/// 1.7 MiB, as with DOTNET_JitHostMaxSlabCache=0 (an environment variable only: runtimeconfig.json cannot set it).
/// </summary>
internal sealed class IdleMemoryTrim : IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);
    public const long WorthBytes = 8L << 20;
    public const long QuietBytes = 1L << 20;
    public const int SlabPasses = 2;
    public static readonly TimeSpan SlabPassInterval = TimeSpan.FromMilliseconds(2100);

    private readonly Timer _timer;
    private long _allocatedAtLastCheck;
    private long _allocatedAtLastTrim;
    // Finalizer passes still to make for the JIT's cached slabs after the last trim (timer thread only).
    private int _slabPassesLeft;

    public IdleMemoryTrim()
    {
        // The first quiet period after start-up always trims: start-up leaves the JIT's and the runtime's C heaps
        // mostly free but resident (9.6 MiB of `[heap]` with no process) even when its GC garbage is small.
        _allocatedAtLastTrim = -WorthBytes;
        _timer = new Timer(_ => Tick(), null, Period, Period);
    }

    /// <summary>
    /// Whether to trim now: the node allocated less than <see cref="QuietBytes"/> since the last check (it is quiet)
    /// and at least <see cref="WorthBytes"/> since the last trim (a burst left garbage behind).
    /// </summary>
    internal static bool Due(long allocated, long atLastCheck, long atLastTrim) =>
        allocated - atLastCheck < QuietBytes && allocated - atLastTrim >= WorthBytes;

    private void Tick()
    {
        if (_slabPassesLeft > 0)
            ReleaseJitSlabs();
        else
            Check();
    }

    private void Check()
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var due = Due(allocated, _allocatedAtLastCheck, _allocatedAtLastTrim);
        _allocatedAtLastCheck = allocated;
        if (!due) return;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        // The finalizers of what the collection found dead run after it, on their own thread, and some free C memory
        // (safe handles, native buffers): trimming before they ran left 8 MiB of `[heap]` resident in some runs.
        GC.WaitForPendingFinalizers();
        TrimMalloc();
        _allocatedAtLastTrim = _allocatedAtLastCheck = GC.GetTotalAllocatedBytes();
        _slabPassesLeft = SlabPasses;
        _timer.Change(SlabPassInterval, SlabPassInterval);
    }

    /// <summary>
    /// One more pass of the finalizer thread (WaitForPendingFinalizers wakes it even with nothing to finalize), each
    /// of which lets the JIT free the slabs it cached before the previous pass; after the last, malloc gives the pages
    /// back and the checks resume at <see cref="Period"/>.
    /// </summary>
    private void ReleaseJitSlabs()
    {
        GC.WaitForPendingFinalizers();
        if (--_slabPassesLeft > 0)
            return;
        TrimMalloc();
        _allocatedAtLastCheck = GC.GetTotalAllocatedBytes();
        _timer.Change(Period, Period);
    }

    /// <summary>
    /// The runtime's and the JIT's native memory (malloc) is freed after a burst too, but glibc keeps the free pages of
    /// its heaps resident; malloc_trim hands them back. Not there on another C library: then nothing is trimmed.
    /// </summary>
    private static void TrimMalloc()
    {
        try
        {
            Actors.Native.LibC.malloc_trim(0);
        }
        catch (EntryPointNotFoundException)
        {
        }
    }

    public void Dispose() => _timer.Dispose();
}
