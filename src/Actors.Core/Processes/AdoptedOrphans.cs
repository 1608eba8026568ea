using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Actors.Native;

namespace Actors.Processes;

/// <summary>
/// The node as child subreaper (<c>PR_SET_CHILD_SUBREAPER</c>): a descendant whose parent exits becomes the node's
/// child instead of init's, so what a process started stays where the node can see it, stop it, and then must
/// reap it. Reaping is by pidfd (<c>waitid(P_PIDFD)</c>), of processes proven to be ours only, never
/// <c>waitpid(-1)</c>: .NET reaps its own <c>Process</c> children (an embedding host's) and must find them there.
/// <para>
/// Each run reaps its own adopted zombies while it drains (<see cref="RunDescendants"/>); a sweep reaps those that die
/// while their run goes on (a background job whose shell exited) and the members of probe groups killed after their
/// leader was reaped. The sweep runs <see cref="SweepInterval"/> after a SIGCHLD (an adopted orphan's death signals its
/// new parent), and again while it left something to reap; an idle node never sweeps. It once ran every 2 s whatever
/// happened: on a node with 500 sleeping children that read all of /proc 25 times a minute and was most of its
/// idle CPU.
/// </para>
/// </summary>
public static class AdoptedOrphans
{
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(2);

    private static readonly ConcurrentDictionary<int, long> Watched = new(); // pid → start time, killed, to reap
    private static readonly ConcurrentDictionary<LinuxProcessHandle, byte> Runs = new();
    private static readonly ConcurrentDictionary<int, LinuxProcessHandle> Unreaped = new(); // pid → run whose main process it is
    private static readonly object Gate = new();
    private static Timer? _timer;
    private static PosixSignalRegistration? _childSignals;
    private static int _sweepPending; // 1 while a sweep is scheduled: SIGCHLDs in a burst schedule one
    // siginfo_t: si_signo, si_errno, si_code, then the union, aligned to a pointer: si_pid is its first field.
    private static readonly int SiPidOffset = IntPtr.Size == 8 ? 16 : 12;

    /// <summary>True once this process is a child subreaper.</summary>
    public static bool IsEnabled => _timer is not null;

    /// <summary>
    /// Makes this process a child subreaper and starts the sweep. For the standalone node (an embedded host's own
    /// process is left as it is: orphans there go to init, which reaps them). Returns false, with why, if the
    /// kernel refused.
    /// </summary>
    public static bool Enable(out string? problem)
    {
        lock (Gate)
        {
            problem = null;
            if (_timer is not null) return true;
            if (LibC.prctl(LibC.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
            {
                problem = $"prctl(PR_SET_CHILD_SUBREAPER): {LibC.ErrorText(Marshal.GetLastPInvokeError())}";
                return false;
            }
            _timer = new Timer(_ => RunScheduledSweep(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            // The handler runs on the runtime's signal thread, after its own reaping of .NET's Process children.
            if (!OperatingSystem.IsWindows()) _childSignals = PosixSignalRegistration.Create(PosixSignal.SIGCHLD, _ => ScheduleSweep());
            ScheduleSweep(); // whatever was adopted before now
            return true;
        }
    }

    /// <summary>A process of ours that was killed: reaped by the sweep if the node adopts it.</summary>
    internal static void Watch(int pid, long startTime)
    {
        if (!IsEnabled) return;
        Watched[pid] = startTime;
        ScheduleSweep();
    }

    private static void ScheduleSweep()
    {
        if (Interlocked.Exchange(ref _sweepPending, 1) == 0) _timer?.Change(SweepInterval, Timeout.InfiniteTimeSpan);
    }

    private static void RunScheduledSweep()
    {
        Volatile.Write(ref _sweepPending, 0); // a SIGCHLD from here on schedules the next sweep
        if (Sweep()) ScheduleSweep();
    }

    internal static void Register(LinuxProcessHandle run)
    {
        Runs[run] = 0;
        Unreaped[run.Pid] = run;
    }

    internal static void Unregister(LinuxProcessHandle run) => Runs.TryRemove(run, out _);

    /// <summary>The main process of <paramref name="run"/> was reaped: its pid is free, and no longer says who a child is.</summary>
    internal static void Reaped(LinuxProcessHandle run) => Unreaped.TryRemove(new KeyValuePair<int, LinuxProcessHandle>(run.Pid, run));

    /// <summary>
    /// True when no child of this process can be a descendant of a run whose main process started at
    /// <paramref name="mainStartTime"/> (clock ticks since boot) and was reaped; false when one may be, or when this
    /// process is no subreaper, or its children cannot be listed.
    /// <para>
    /// Why that settles whether such a run left anything outside its group: as subreaper, a process whose parent
    /// exits becomes a child of this process. So once the main process is gone, every live descendant of the run is
    /// in its group, or is a child adopted so, or descends from one. The kernel gives an orphan to the subreaper's
    /// first live thread (kernel/exit.c, <c>find_new_reaper</c> and <c>find_alive_thread</c>: the thread list starts
    /// with the thread-group leader, which lives as long as the process), so only the main thread's children are
    /// read, in a listing that missed none (<see cref="ProcTable.StableChildrenOf"/>: the node reaps adopted orphans
    /// while it lists): one small file, where all threads' were a read per thread per run's end, twice the opens of a
    /// stop of 100 (bench/README.md, stop 37). A child is none of the run's when it is the unreaped main process of a run (a
    /// pid held by our unreaped child is not handed out again) or is older than the run's main process (a descendant
    /// never is). Nothing else is decided here: any other child, a zombie included, sends the caller to the process
    /// table, which looks at run markers, groups and parents.
    /// </para>
    /// </summary>
    internal static bool NoChildCouldDescendFrom(long mainStartTime) =>
        IsEnabled && ProcTable.StableChildrenOf(Environment.ProcessId, Environment.ProcessId) is { } children
        && NoneCouldDescendFrom(children, mainStartTime);

    /// <summary>As <see cref="NoChildCouldDescendFrom"/>, for the children <paramref name="children"/>.</summary>
    internal static bool NoneCouldDescendFrom(List<ProcEntry> children, long mainStartTime)
    {
        foreach (var child in children)
            if (!Unreaped.ContainsKey(child.Pid) && child.StartTime >= mainStartTime) return false;
        return true;
    }

    /// <summary>
    /// Reaps <paramref name="pid"/> if it is a zombie child of this process started at <paramref name="startTime"/>.
    /// Through its pidfd, so never another process that got the pid since.
    /// </summary>
    internal static unsafe bool Reap(int pid, long startTime)
    {
        int fd = ProcessGroupSignal.OpenProcess(pid, startTime);
        if (fd < 0) return false;
        try
        {
            byte* info = stackalloc byte[128]; // siginfo_t
            new Span<byte>(info, 128).Clear(); // WNOHANG with nothing to reap leaves it untouched
            int rc;
            do { rc = LibC.waitid(LibC.P_PIDFD, fd, info, LibC.WEXITED | LibC.WNOHANG); }
            while (rc < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR);
            return rc == 0 && *(int*)(info + SiPidOffset) == pid; // si_pid: 0 when it had not exited yet
        }
        finally { LibC.close(fd); }
    }

    // Zombie children of the node seen by the previous sweep and proven ours by nothing (an escaped descendant that
    // died before its marker could be read: a zombie's environment reads empty).
    private static readonly HashSet<(int Pid, long StartTime)> Lingering = new();
    private static readonly object SweepGate = new();

    /// <summary>
    /// Reaps a zombie child of the node that was already a zombie one whole sweep ago. .NET reaps its own children
    /// within moments of their SIGCHLD, and the output pumps the ones the node spawned (main processes, exec probe
    /// commands) at their exit, so a zombie left for a sweep interval is none of theirs: it is an orphan the node
    /// adopted, and only the node can reap it. Reaped through its pidfd, so never a later process.
    /// </summary>
    private static void ReapLingering(List<ProcEntry> table, int node)
    {
        var zombies = table.Where(e => e.Zombie && e.Ppid == node).Select(e => (e.Pid, e.StartTime)).ToHashSet();
        foreach (var (pid, startTime) in Lingering)
            if (zombies.Contains((pid, startTime)) && Reap(pid, startTime)) zombies.Remove((pid, startTime));
        Lingering.Clear();
        Lingering.UnionWith(zombies);
    }

    /// <summary>
    /// One pass: reaps the node's zombie children that are ours. Cheap when there are none. True when something is
    /// left for a later pass: a killed process not yet gone, or a zombie to reap once it lingered a whole interval.
    /// </summary>
    internal static bool Sweep()
    {
        // A sweep that outlasts the interval is not overlapped by the next (the timer would run both at once).
        if (!Monitor.TryEnter(SweepGate)) return true;
        try
        {
            int node = Environment.ProcessId;
            var table = ProcTable.Read();
            foreach (var (pid, startTime) in Watched)
            {
                var now = table.Find(e => e.Pid == pid);
                if (now.StartTime != startTime) Watched.TryRemove(pid, out _); // gone, reaped by whoever was its parent
                else if (now.Zombie && now.Ppid == node && Reap(pid, startTime)) Watched.TryRemove(pid, out _);
            }
            if (!table.Exists(e => e.Zombie && e.Ppid == node))
            {
                Lingering.Clear();
                return !Watched.IsEmpty;
            }
            foreach (var run in Runs.Keys) run.ReapAdopted(table);
            ReapLingering(ProcTable.Read(), node);
            return !Watched.IsEmpty || Lingering.Count > 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // /proc unreadable for a moment: the next sweep tries again.
            return true;
        }
        finally
        {
            Monitor.Exit(SweepGate);
        }
    }
}
