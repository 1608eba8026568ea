namespace Actors.Processes;

/// <summary>
/// Whether a run has anything outside its process group, known from its own process tree rather than the whole table
/// (<see cref="RunDescendants"/> reads the table: a read per process on the machine, and an environment read of every
/// younger one). Used right after the stop signal, where the answer only decides who else gets the signal now: the
/// look after the main process's exit still decides whether the run is over.
/// <para>
/// Why the tree and the node's children are enough: a descendant of the run either still has its parent chain up to
/// the main process (so it is in the main process's tree, read through <c>/proc/PID/task/TID/children</c>), or one of
/// its ancestors lost its parent and was adopted by the nearest subreaper above it: the node
/// (<see cref="AdoptedOrphans.NoChildCouldDescendFrom"/>), or a subreaper inside the tree, which the walk reads too. An
/// exiting process hands its children over and becomes a zombie in one step (kernel/exit.c, <c>exit_notify</c>,
/// under the tasklist lock), so a process found gone or a zombie has nothing left in its part of the tree: what it had
/// is the adopter's. Each list of children is one that missed none: the kernel's listing skips a child when a
/// sibling leaves during the read (<see cref="ProcTable.StableChildrenOf"/>).
/// </para>
/// </summary>
internal static class RunTree
{
    /// <summary>The most processes read before the table is the better look (a shell with many children).</summary>
    public const int MaxWalked = 32;

    /// <summary>
    /// True when every live process in the tree of the run's main process <paramref name="mainPid"/> (started at
    /// <paramref name="mainStartTime"/>, leader of group <paramref name="pgid"/>) is in that group. False when one is
    /// not, when the tree holds more than <see cref="MaxWalked"/> processes, or when a file cannot be read: then the
    /// table decides. Children started during the walk are not seen, as in any snapshot: the look after the exit is
    /// what settles the run.
    /// </summary>
    public static bool StaysInGroup(int mainPid, long mainStartTime, int pgid)
    {
        // Gone (reaped), a zombie, or the pid of someone else now: its children, if any, were handed to an adopter.
        if (ProcTable.ReadOne(mainPid) is not { Zombie: false } main || main.StartTime != mainStartTime) return true;
        var pending = new Stack<ProcEntry>();
        pending.Push(main);
        int walked = 0;
        while (pending.TryPop(out var process))
        {
            if (++walked > MaxWalked) return false;
            if (process.Zombie) continue; // what it had is its adopter's, as above
            if (process.Pgid != pgid) return false;
            // A list that cannot be read, or not trusted (ProcTable.StableChildrenOf), while its process still lives:
            // the table decides.
            if (!PushChildren(process, pending) && ProcTable.ReadOne(process.Pid) is { Zombie: false }) return false;
        }
        return true;
    }

    /// <summary>
    /// Pushes the children of <paramref name="process"/>: a child is listed under the thread that forked it, so every
    /// thread's list when there is more than one. False when a list cannot be read or trusted.
    /// </summary>
    private static bool PushChildren(ProcEntry process, Stack<ProcEntry> pending)
    {
        if (process.Threads <= 1) return PushChildrenOf(process.Pid, process.Pid, pending);
        if (ProcTable.ThreadsOf(process.Pid) is not { } tids) return false;
        foreach (int tid in tids)
            if (!PushChildrenOf(process.Pid, tid, pending)) return false;
        return true;
    }

    private static bool PushChildrenOf(int pid, int tid, Stack<ProcEntry> pending)
    {
        if (ProcTable.StableChildrenOf(pid, tid) is not { } children) return false;
        foreach (var child in children) pending.Push(child);
        return true;
    }
}
