using Actors.Processes.Native;

namespace Actors.Processes;

/// <summary>
/// The watchdog process (<c>actors __watchdog NODE-PID NODE-STARTTIME</c>): kills the children of a node that died
/// without stopping them, a SIGKILL included. The node writes one line per change into the watchdog's stdin, a pipe:
/// <c>+PGID STARTTIME NAME</c> when a child starts, <c>-PGID STARTTIME</c> when it is gone with its group (the start
/// time, because a newer child may already have the pid). When the
/// node dies, however it dies, the kernel closes the node's end of the pipe; the watchdog reads EOF, waits until
/// the node has really ended, and SIGKILLs every group still listed, then exits. An orderly node writes
/// <see cref="EndLine"/> and closes the pipe only after its children stopped, so the watchdog then finds nothing
/// to kill. The node replaces a watchdog that dies or stops reading (see <see cref="WatchdogLink"/>).
/// <para>
/// Covers the whole process group of every child, grandchildren that stay in it included. Does not cover
/// processes that leave the group themselves (setsid or setpgid into a group of their own), nor the
/// watchdog being killed together with the node (a whole cgroup killed, an OOM kill of both): then the
/// <see cref="PidRegistry"/> reaps them at the next start of the node. Chosen over a parent-death signal,
/// which reaches the main process only (not its group), cannot be set through posix_spawn, and follows the
/// spawning thread rather than the node.
/// </para>
/// </summary>
public static class Watchdog
{
    /// <summary>The node's last line before it closes the pipe in order: what is still listed is killed at once.</summary>
    public const string EndLine = ".";

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
    /// node has finished exiting.
    /// </summary>
    /// <returns>The number of groups killed.</returns>
    public static int Run(Stream input, TextWriter log, int nodePid, long? nodeStartTime)
    {
        // Its children carry this marker (see NodeMarker).
        var marker = nodeStartTime is { } nodeStart ? NodeMarker.Entry(nodePid, nodeStart) : null;
        // Opened before reading: from here on it is this node, whatever later gets its pid.
        using var node = NodeLife.Watch(nodePid, nodeStartTime);
        var groups = new Dictionary<int, (long StartTime, string Name)>();
        bool inOrder = false;
        using (var reader = new StreamReader(input))
        {
            while (reader.ReadLine() is { } line)
            {
                if (line == EndLine)
                {
                    inOrder = true;
                    break;
                }
                var parts = line.Split(' ', 3);
                if (parts[0].Length < 2 || !int.TryParse(parts[0].AsSpan(1), out var pgid) || pgid <= 1) continue;
                if (parts.Length < 2 || !long.TryParse(parts[1], out var startTime)) continue;
                if (parts[0][0] == '+') groups[pgid] = (startTime, parts.Length == 3 ? parts[2] : "?");
                else if (parts[0][0] == '-' && groups.TryGetValue(pgid, out var listed) && listed.StartTime == startTime) groups.Remove(pgid);
            }
        }
        if (!inOrder && !node.WaitForEnd(TimeSpan.FromSeconds(5)))
        {
            log.WriteLine($"actors watchdog: the pipe from node pid {nodePid} closed while the node runs (this watchdog was replaced); waiting for the node to end");
            node.WaitForEnd(Timeout.InfiniteTimeSpan);
        }
        int killed = 0;
        foreach (var (pgid, (startTime, name)) in groups)
        {
            if (!IsOurs(pgid, startTime)) continue;
            if (LibC.kill(-pgid, LibC.SIGKILL) != 0) continue;
            killed++;
            log.WriteLine($"actors watchdog: node pid {nodePid} died; killed the process group of {name} (pid {pgid})");
        }
        if (marker is null) return killed;
        // Children started in the instant before the node died, not yet announced: found by their marker.
        foreach (var pid in NodeMarker.FindSessionLeaders(marker))
        {
            if (LibC.kill(-pid, LibC.SIGKILL) != 0) continue;
            killed++;
            log.WriteLine($"actors watchdog: node pid {nodePid} died; killed the process group of pid {pid} (started as the node died)");
        }
        return killed;
    }

    private static bool IsOurs(int pgid, long startTime)
    {
        // The leader alive: its start time proves it is still our child, and then its group id is too.
        if (ProcStat.ReadStartTime(pgid) is { } leaderStart) return leaderStart == startTime;
        // The leader gone (reaped by init): a group id is not handed out again while any member of the group
        // lives, so members left under this pgid are what remains of our child's group.
        return LibC.kill(-pgid, 0) == 0;
    }
}
