using Actors.Native;

namespace Actors.Processes;

/// <summary>
/// A real child, leader of its own process group, and what the run started outside that group
/// (<see cref="RunDescendants"/>). Every signal goes through <see cref="ProcessGroupSignal"/> with a pidfd of the
/// main process, opened while it was our unreaped child: the group is reached through that pidfd even after the
/// main process was reaped, and a group id freed and reused by someone else never is.
/// </summary>
/// <param name="leaderPidfd">A pidfd of the main process, owned by the handle (closed once it is gone and released).</param>
/// <param name="runEntry">The run's marker (<c>ACTORS_RUN=...</c>) in its environment; null: descendants that leave the group are not followed.</param>
/// <param name="onGone">Called once, when the main process was reaped and its owner released it (see <see cref="Release"/>).</param>
internal sealed class LinuxProcessHandle(int pid, long startTime, int leaderPidfd, string? runEntry, Action<LinuxProcessHandle>? onGone = null)
    : IProcessHandle
{
    private const int Reaped = 1, Released = 2;
    private readonly RunDescendants? _descendants = runEntry is null ? null : new RunDescendants(pid, startTime, runEntry);
    private readonly object _fdGate = new();
    private int _pidfd = leaderPidfd;
    private volatile bool _reaped;
    private long _reapedAt; // Stopwatch timestamp: what is looked at after the exit must be read after it
    private int _done; // Reaped | Released, set from the pump's thread and the owner's

    public int Pid { get; } = pid;
    public long StartTime { get; } = startTime;

    /// <summary>The run's marker entry, <c>ACTORS_RUN=...</c>, or null.</summary>
    public string? RunEntry { get; } = runEntry;

    internal void MarkReaped()
    {
        Volatile.Write(ref _reapedAt, System.Diagnostics.Stopwatch.GetTimestamp());
        AdoptedOrphans.Reaped(this);
        _reaped = true;
        Mark(Reaped);
    }

    public void Release() => Mark(Released);

    private void Mark(int flag)
    {
        int before = Interlocked.Or(ref _done, flag);
        // Whichever of the two comes second reports: reaped (the pid is free) and released (the group is gone).
        if ((before | flag) != (Reaped | Released) || before == (Reaped | Released)) return;
        AdoptedOrphans.Unregister(this);
        _descendants?.Dispose();
        lock (_fdGate)
        {
            if (_pidfd >= 0) LibC.close(_pidfd);
            _pidfd = -1;
        }
        onGone?.Invoke(this);
    }

    public bool Signal(int signal)
    {
        // Once reaped the pid may belong to anyone; the pidfd says so too (it names the reaped process: ESRCH).
        if (_reaped) return false;
        lock (_fdGate) return ProcessGroupSignal.ToProcess(_pidfd, signal);
    }

    /// <summary>The group and every process of the run outside it. True when any got the signal.</summary>
    public bool SignalGroup(int signal)
    {
        bool group;
        lock (_fdGate) group = ProcessGroupSignal.ToGroup(_pidfd, Pid, signal, NodeMarker.OfThisNode);
        if (_descendants is null || NothingOutsideGroup()) return group;
        // Looked for after the group got the signal: a child that was about to leave it has either got it too or left.
        _descendants.Refresh(GroupExists, System.Diagnostics.Stopwatch.GetTimestamp());
        return _descendants.Signal(signal) > 0 || group;
    }

    /// <summary>
    /// The group gets the stop signal and SIGCONT at once. What the run started outside its group is looked for in a
    /// table read after that, and gets both then (each once): a child that was about to leave the group has either got
    /// them with it or left, and then is in the table. The read is shared with every run that asked meanwhile, so a
    /// mass stop needs a few reads of the table in all, not one or two per run (<see cref="SharedProcTable.ReadAfter"/>).
    /// Usually not even that: nothing of the run is outside its group, known from its tree (<see cref="NothingOutsideGroup"/>).
    /// </summary>
    public void StopGroup(int signal)
    {
        lock (_fdGate)
        {
            ProcessGroupSignal.ToGroup(_pidfd, Pid, signal, NodeMarker.OfThisNode);
            ProcessGroupSignal.ToGroup(_pidfd, Pid, LibC.SIGCONT, NodeMarker.OfThisNode);
        }
        if (_descendants is not { } descendants || NothingOutsideGroup()) return;
        SharedProcTable.ReadAfter(System.Diagnostics.Stopwatch.GetTimestamp()).ContinueWith(read =>
        {
            descendants.Refresh(read.Result, GroupExists);
            descendants.Signal(signal);
            descendants.Signal(LibC.SIGCONT);
        }, CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>As <see cref="IsGroupAlive"/>; what needs a table read shares one with every run that asked meanwhile.</summary>
    public Task<bool> IsGroupAliveAsync()
    {
        if (!_reaped) return Task.FromResult(true);
        if (_descendants is not { } descendants) return Task.FromResult(GroupHasLiveMember());
        if (ProvablyOver()) return Task.FromResult(false);
        return SharedProcTable.ReadAfter(Volatile.Read(ref _reapedAt)).ContinueWith(read =>
        {
            var (outside, inGroup) = descendants.Refresh(read.Result, GroupExists);
            return outside > 0 || inGroup > 0;
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public bool IsGroupAlive()
    {
        // The main process not yet reaped: the run is alive (and then, cheaply, nothing else needs a look).
        if (!_reaped) return true;
        if (_descendants is null) return GroupHasLiveMember();
        if (ProvablyOver()) return false;
        var (outside, inGroup) = _descendants.Refresh(GroupExists, Volatile.Read(ref _reapedAt));
        return outside > 0 || inGroup > 0;
    }

    /// <summary>
    /// After the main process was reaped: true when nothing of the run can be left, known without the process table.
    /// Its group is empty, none of its processes was seen outside the group, and the node (as subreaper) has no child
    /// the run could have left behind (<see cref="AdoptedOrphans.NoChildCouldDescendFrom"/>). The usual end of a run,
    /// and a few system calls, where reading the table costs a read per process on the machine: 2 ms of a restart
    /// after SIGKILL with 70 processes on the machine (bench/README.md, stop 37). False is no answer: the table decides.
    /// </summary>
    private bool ProvablyOver() =>
        _descendants is { TracksNone: true } && !GroupExists() && AdoptedOrphans.NoChildCouldDescendFrom(StartTime);

    /// <summary>
    /// True when, right now, nothing of the run is outside its group, known without the process table: none of its
    /// processes was seen outside it before, every live process in the main process's tree is in it
    /// (<see cref="RunTree.StaysInGroup"/>), and the node (as subreaper) has no child the run could have left behind.
    /// A few small reads per process of the run, where the table is a read per process on the machine: a stop of 100
    /// read it about 11 times (bench/README.md, stop 38). False is no answer: the table decides.
    /// </summary>
    private bool NothingOutsideGroup() =>
        _descendants is { TracksNone: true } && RunTree.StaysInGroup(Pid, StartTime, Pid) && AdoptedOrphans.NoChildCouldDescendFrom(StartTime);

    /// <summary>Called by the sweep with its snapshot of /proc: reaps the zombies of this run the node adopted.</summary>
    internal void ReapAdopted(List<ProcEntry> table) => _descendants?.ReapAdopted(table, GroupExists);

    private bool GroupExists()
    {
        lock (_fdGate) return ProcessGroupSignal.GroupExists(_pidfd, Pid, NodeMarker.OfThisNode);
    }

    private bool GroupHasLiveMember()
    {
        if (!GroupExists()) return false;
        // kill(0) also succeeds for zombies; a group whose only members are zombies is over. Members read under the
        // group id are ours if the group still exists after the read: a group id is not reused while it has members.
        bool live = SharedProcTable.Current(Volatile.Read(ref _reapedAt)).Exists(e => e.Pgid == Pid && !e.Zombie && e.StartTime >= StartTime);
        return live && GroupExists();
    }

    public override string ToString() => $"pid {Pid}";
}
