using System.Diagnostics;
using Actors.Native;

namespace Actors.Processes;

/// <summary>
/// The watchdog process (<c>actors-watchdog NODE-PID NODE-STARTTIME</c>, a small native program: src/Actors.Watchdog
/// compiles this file): kills the children of a node that died without stopping them, a SIGKILL included, and is the
/// dead-man switch of its leased processes (see <see cref="WatchedGroups"/>). The node writes one line per change into
/// the watchdog's stdin, a pipe (see <see cref="WatchdogProtocol"/>): <c>+PGID STARTTIME NAME</c> when a child starts,
/// <c>-PGID STARTTIME</c> when it is gone with its group (the start time, because a newer child may already have the
/// pid), and for leased processes which groups run under which lease and until when the node confirmed it. When the
/// node dies, however it dies, the kernel closes the node's end of the pipe; the watchdog reads EOF, waits until
/// the node has really ended, and SIGKILLs every group still listed, then exits. An orderly node writes
/// <see cref="EndLine"/> and closes the pipe only after its children stopped, so the watchdog then finds nothing
/// to kill. The node replaces a watchdog that dies or stops reading (see <see cref="WatchdogLink"/>).
/// <para>
/// Covers the whole process group of every child, grandchildren that stay in it included, and every process
/// that carries the node's marker (<see cref="NodeMarker"/>) in its environment: descendants that left their
/// group (setsid, setpgid, a daemon's double fork) unless they cleared their environment. Does not cover the
/// watchdog being killed together with the node (a whole cgroup killed, an OOM kill of both): then the
/// <see cref="PidRegistry"/> reaps the groups at the next start of the node. Chosen over a parent-death signal,
/// which reaches the main process only (not its group), cannot be set through posix_spawn, and follows the
/// spawning thread rather than the node.
/// </para>
/// </summary>
public static class Watchdog
{
    /// <summary>The node's last line before it closes the pipe in order: what is still listed is killed at once.</summary>
    public const string EndLine = WatchdogProtocol.EndLine;

    /// <summary>
    /// Reads the node's lines from <paramref name="input"/> until EOF, then kills what is still listed. The node's
    /// start time is read now, while it runs.
    /// </summary>
    /// <returns>The number of groups killed.</returns>
    public static int Run(Stream input, TextWriter log, int nodePid) => Run(input, log, nodePid, ProcStat.ReadStartTime(nodePid));

    /// <summary>
    /// Reads the node's lines until EOF, then kills what is still listed. An EOF without <see cref="EndLine"/>
    /// means the node died, but the node also closes the pipe of a watchdog it replaced (one that stopped
    /// reading): such a one, if it ever runs again, waits until the node (<paramref name="nodePid"/> started at
    /// <paramref name="nodeStartTime"/>) is really gone before it kills anything, so it never kills the children
    /// of a node that lives. The wait is also right for a dying node: the kernel closes its files before the
    /// node has finished exiting. Until EOF the dead-man switch acts on leased groups (see <see cref="WatchedGroups"/>).
    /// </summary>
    /// <returns>The number of groups killed after EOF.</returns>
    public static int Run(Stream input, TextWriter log, int nodePid, long? nodeStartTime)
    {
        // Its children carry this marker (see NodeMarker).
        var marker = nodeStartTime is { } nodeStart ? NodeMarker.Entry(nodePid, nodeStart) : null;
        // Opened before reading: from here on it is this node, whatever later gets its pid.
        using var node = NodeLife.Watch(nodePid, nodeStartTime);
        List<(int Pgid, long StartTime, string Name)> groups;
        List<LeaseHolding> holdings;
        bool inOrder = false;
        using (var watched = new WatchedGroups(log, nodePid, marker))
        {
            using (var reader = new StreamReader(input))
            {
                while (reader.ReadLine() is { } line)
                {
                    if (line == EndLine)
                    {
                        inOrder = true;
                        break;
                    }
                    watched.Apply(line);
                }
            }
            groups = watched.Close();
            holdings = watched.Holdings();
        }
        if (!inOrder && !node.WaitForEnd(TimeSpan.FromSeconds(5)))
        {
            log.WriteLine($"actors watchdog: the pipe from node pid {nodePid} closed while the node runs (this watchdog was replaced); waiting for the node to end");
            node.WaitForEnd(Timeout.InfiniteTimeSpan);
        }
        int killed = 0;
        var signalled = new HashSet<int>(); // groups killed whole: their members need nothing more
        foreach (var (pgid, startTime, name) in groups)
        {
            // Guarded: the leader by its start time, or, the leader gone, a member carrying the node's marker
            // (see ProcessGroupSignal); a group id that was freed and reused is never signalled.
            if (!ProcessGroupSignal.ToGroupOf(pgid, startTime, marker, LibC.SIGKILL)) continue;
            signalled.Add(pgid);
            killed++;
            log.WriteLine($"actors watchdog: node pid {nodePid} died; killed the process group of {name} (pid {pgid})");
        }
        // After an orderly end the node stopped its runs itself, escaped descendants included (RunDescendants), and
        // gave its leases back: nothing of it is left to find. And the marker names the process, not one supervision:
        // an embedding host that stops one supervision and starts another (a test suite does) has the new one's
        // children carrying the same marker while this scan would run.
        if (inOrder) return killed;
        if (marker is not null) killed += KillMarked(marker, signalled, log, nodePid);
        ReleaseLeases(holdings, signalled, log, nodePid);
        return killed;
    }

    /// <summary>How long the killed groups may take to be gone before the node's leases are freed anyway.</summary>
    internal static readonly TimeSpan DeathBound = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The node is dead and its groups were killed: its lease holdings are marked released in their files, each only
    /// while the file still names that holding (token and holder), so another node takes the lease at its next try
    /// rather than after the TTL. First the killed groups must be gone (SIGKILL is delivered, not yet done, when kill
    /// returns), bounded by <see cref="DeathBound"/> (a process stuck in uninterruptible sleep must not keep the lease
    /// from the others for ever; the next holder's token fences it). Only ever here, after the node's death: a node
    /// that is merely frozen (the dead-man switch, <see cref="WatchedGroups"/>) may thaw and write a heartbeat of the
    /// same holding at any moment, and it would then run on a holding the lease file no longer names (see README,
    /// Cluster: failover after SIGSTOP), so the others wait for its TTL instead.
    /// </summary>
    private static void ReleaseLeases(List<LeaseHolding> holdings, HashSet<int> killed, TextWriter log, int nodePid)
    {
        if (holdings.Count == 0) return;
        var clock = Stopwatch.StartNew();
        while (killed.Count > 0 && ProcessGroups.CountLiveMembers(killed).Values.Any(n => n > 0))
        {
            if (clock.Elapsed >= DeathBound)
            {
                log.WriteLine($"actors watchdog: node pid {nodePid} died; its killed processes are not all gone after {DeathBound.TotalSeconds:0}s; freeing its leases anyway");
                break;
            }
            Thread.Sleep(5);
        }
        foreach (var h in holdings)
        {
            try
            {
                if (new Leases.LeaseFile(h.Folder, h.Lease).ReleaseIfHeld(h.Token, h.Holder, DateTimeOffset.UtcNow))
                    log.WriteLine($"actors watchdog: node pid {nodePid} died; released lease {h.Lease} (token {h.Token}) in {h.Folder}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log.WriteLine($"actors watchdog: node pid {nodePid} died; could not release lease {h.Lease} in {h.Folder}: {e.Message}; it frees itself after its ttl");
            }
        }
    }

    /// <summary>What carries the node's marker outside the killed groups; the number of groups and processes killed.</summary>
    private static int KillMarked(string marker, HashSet<int> signalled, TextWriter log, int nodePid)
    {
        int killed = 0;
        // What carries the node's marker outside those groups: children started in the instant before the node
        // died (not yet announced), and descendants that left their group (setsid, a daemon's double fork).
        // Twice: a process forked while the first pass ran is found by the second.
        var done = new HashSet<(int, long)>();
        for (int pass = 0; pass < 2; pass++)
        {
            foreach (var process in NodeMarker.FindCarriers(marker))
            {
                if (signalled.Contains(process.Pgid) || !done.Add((process.Pid, process.StartTime))) continue;
                bool leader = process.Pid == process.Pgid;
                bool sent = leader
                    ? ProcessGroupSignal.ToGroupOf(process.Pid, process.StartTime, marker, LibC.SIGKILL)
                    : ProcessGroupSignal.ToProcess(process.Pid, process.StartTime, LibC.SIGKILL);
                if (!sent) continue;
                if (leader) signalled.Add(process.Pid);
                killed++;
                log.WriteLine(leader
                    ? $"actors watchdog: node pid {nodePid} died; killed the process group of pid {process.Pid} (started as the node died, or left its group)"
                    : $"actors watchdog: node pid {nodePid} died; killed pid {process.Pid} (left its group)");
            }
        }
        return killed;
    }
}
