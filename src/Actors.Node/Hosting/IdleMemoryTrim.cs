using Actors.Scheduling;
using Actors.Supervision;
using Akka.Actor;

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
/// After the first trim (start-up is over then), the pages of the libraries only start-up used are given back once
/// (<see cref="StartupOnlyLibraries"/>: OpenSSL, Akka.Streams, ConfigurationManager).
/// The checks run on <see cref="HousekeepingGrid"/>, with the lock heartbeat. On its own .NET timer the check woke an
/// idle node at another phase than the heartbeat (the slab passes moved it), and each wake-up costs the thread pool's
/// gate and finalizer threads more than the check itself: idle CPU at 500 processes 0.051 % and 1.97 wake-ups a
/// second, on the grid 0.040 % and 1.30 (bench/lean.py, medians of 3; bench/README.md, issue 14).
/// </summary>
internal static class IdleMemoryTrim
{
    public const string Name = "idle-memory-trim";
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);
    public const long WorthBytes = 8L << 20;
    public const long QuietBytes = 1L << 20;
    public const int SlabPasses = 2;
    public static readonly TimeSpan SlabPassInterval = TimeSpan.FromMilliseconds(2100);

    /// <summary>On the blocking-I/O dispatcher, with the lock heartbeat: a trim blocks its thread for a collection.</summary>
    public static Props Props() =>
        FactoryProps.Of(() => new IdleMemoryTrimActor()).WithDispatcher("akka.actor.default-blocking-io-dispatcher");

    /// <summary>
    /// Whether to trim now: the node allocated less than <see cref="QuietBytes"/> since the last check (it is quiet)
    /// and at least <see cref="WorthBytes"/> since the last trim (a burst left garbage behind).
    /// </summary>
    internal static bool Due(long allocated, long atLastCheck, long atLastTrim) =>
        allocated - atLastCheck < QuietBytes && allocated - atLastTrim >= WorthBytes;
}

internal sealed class IdleMemoryTrimActor : DelegateReceiveActor, IWithTimers
{
    private sealed record Check;
    private sealed record SlabPass;

    private long _allocatedAtLastCheck;
    // The first quiet period after start-up always trims: start-up leaves the JIT's and the runtime's C heaps mostly
    // free but resident (9.6 MiB of `[heap]` with no process) even when its GC garbage is small.
    private long _allocatedAtLastTrim = -IdleMemoryTrim.WorthBytes;
    // Finalizer passes still to make for the JIT's cached slabs after the last trim.
    private int _slabPassesLeft;
    private bool _startupPagedOut;

    public ITimerScheduler Timers { get; set; } = null!;

    public IdleMemoryTrimActor()
    {
        Receive<Check>(_ => OnCheck());
        Receive<SlabPass>(_ => OnSlabPass());
    }

    protected override void PreStart() => ScheduleCheck();

    /// <summary>The next check on the grid's next beat: a one-off timer, so the slab passes between do not move it.</summary>
    private void ScheduleCheck() =>
        Timers.StartSingleTimer(nameof(Check), new Check(), HousekeepingGrid.UntilNextBeat(Context.System.Scheduler, IdleMemoryTrim.Period));

    private void OnCheck()
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var due = IdleMemoryTrim.Due(allocated, _allocatedAtLastCheck, _allocatedAtLastTrim);
        _allocatedAtLastCheck = allocated;
        if (!due)
        {
            ScheduleCheck();
            return;
        }
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        // The finalizers of what the collection found dead run after it, on their own thread, and some free C memory
        // (safe handles, native buffers): trimming before they ran left 8 MiB of `[heap]` resident in some runs.
        GC.WaitForPendingFinalizers();
        TrimMalloc();
        _allocatedAtLastTrim = _allocatedAtLastCheck = GC.GetTotalAllocatedBytes();
        _slabPassesLeft = IdleMemoryTrim.SlabPasses;
        Timers.StartSingleTimer(nameof(SlabPass), new SlabPass(), IdleMemoryTrim.SlabPassInterval);
    }

    /// <summary>
    /// One more pass of the finalizer thread (WaitForPendingFinalizers wakes it even with nothing to finalize), each
    /// of which lets the JIT free the slabs it cached before the previous pass; after the last, malloc gives the pages
    /// back and the checks resume on the grid.
    /// </summary>
    private void OnSlabPass()
    {
        GC.WaitForPendingFinalizers();
        if (--_slabPassesLeft > 0)
        {
            Timers.StartSingleTimer(nameof(SlabPass), new SlabPass(), IdleMemoryTrim.SlabPassInterval);
            return;
        }
        TrimMalloc();
        // The first trim comes once start-up is over: what only start-up used goes too, once.
        if (!_startupPagedOut)
        {
            _startupPagedOut = true;
            StartupOnlyLibraries.PageOut();
        }
        _allocatedAtLastCheck = GC.GetTotalAllocatedBytes();
        ScheduleCheck();
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
}
