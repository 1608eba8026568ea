using Actors.Processes.Native;

namespace Actors.Processes;

/// <summary>
/// The watchdog process (<c>actors __watchdog NODE-PID</c>): kills the children of a node that died without
/// stopping them, a SIGKILL included. The node writes one line per change into the watchdog's stdin, a pipe:
/// <c>+PGID STARTTIME NAME</c> when a child starts, <c>-PGID STARTTIME</c> when it is gone with its group (the start
/// time, because a newer child may already have the pid). When the
/// node dies, however it dies, the kernel closes the node's end of the pipe; the watchdog reads EOF and
/// SIGKILLs every group still listed, then exits. An orderly node closes the pipe only after its children
/// stopped, so the watchdog then finds nothing to kill.
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
    /// <summary>Reads the node's lines from <paramref name="input"/> until EOF, then kills what is still listed.</summary>
    /// <returns>The number of groups killed.</returns>
    public static int Run(Stream input, TextWriter log, int nodePid)
    {
        // Read while the node is alive: its children carry this marker (see NodeMarker).
        var marker = ProcStat.ReadStartTime(nodePid) is { } nodeStart ? NodeMarker.Entry(nodePid, nodeStart) : null;
        var groups = new Dictionary<int, (long StartTime, string Name)>();
        using (var reader = new StreamReader(input))
        {
            while (reader.ReadLine() is { } line)
            {
                var parts = line.Split(' ', 3);
                if (parts[0].Length < 2 || !int.TryParse(parts[0].AsSpan(1), out var pgid) || pgid <= 1) continue;
                if (parts.Length < 2 || !long.TryParse(parts[1], out var startTime)) continue;
                if (parts[0][0] == '+') groups[pgid] = (startTime, parts.Length == 3 ? parts[2] : "?");
                else if (parts[0][0] == '-' && groups.TryGetValue(pgid, out var listed) && listed.StartTime == startTime) groups.Remove(pgid);
            }
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

/// <summary>
/// The node's side of the <see cref="Watchdog"/>: starts it and keeps it told, as an <see cref="IPidRegistry"/>.
/// Lines are written at once, on the caller's thread: a few bytes into a pipe, no disk.
/// </summary>
public sealed unsafe class WatchdogLink : IPidRegistry, IDisposable
{
    private readonly object _gate = new();
    private readonly Action<string> _warn;
    private int _writeFd;
    private bool _warned;

    private WatchdogLink(int pid, int writeFd, Action<string> warn)
    {
        Pid = pid;
        _writeFd = writeFd;
        _warn = warn;
    }

    /// <summary>Pid of the watchdog process.</summary>
    public int Pid { get; }

    /// <summary>
    /// Starts <paramref name="argv"/> (argv[0] an absolute path) as the watchdog: its own session, so a
    /// terminal's Ctrl-C meant for the node does not reach it; stdin the pipe from this node; stdout and
    /// stderr the node's own. Null (and <paramref name="warn"/> told why) when it cannot be started.
    /// </summary>
    public static WatchdogLink? Start(IReadOnlyList<string> argv, IReadOnlyList<string> environment, Action<string> warn, int pipeBytes = 0)
    {
        int* fds = stackalloc int[2];
        // Close-on-exec on both ends: no child of the node may hold the write end, or the watchdog would
        // never see EOF; the spawn dup2s the read end onto the watchdog's stdin (without the flag).
        if (LibC.pipe2(fds, LibC.O_CLOEXEC) != 0)
        {
            warn($"could not start the watchdog: pipe: {LibC.ErrorText(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}");
            return null;
        }
        if (pipeBytes > 0) LibC.fcntl(fds[1], LibC.F_SETPIPE_SZ, pipeBytes);
        var result = Spawner.Spawn(argv[0], argv, environment, "/", stdinFd: fds[0], captureOutput: false);
        LibC.close(fds[0]);
        if (result.Errno != 0)
        {
            LibC.close(fds[1]);
            warn($"could not start the watchdog {argv[0]}: {LibC.ErrorText(result.Errno)}; children will outlive a SIGKILL of the node until its next start");
            return null;
        }
        return new WatchdogLink(result.Pid, fds[1], warn);
    }

    public void Added(string name, int pid, long startTime) =>
        Send($"+{pid} {startTime} {name.Replace('\n', ' ')}\n");

    public void Removed(int pid, long startTime) => Send($"-{pid} {startTime}\n");

    private void Send(string line)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(line);
        lock (_gate)
        {
            if (_writeFd < 0) return;
            fixed (byte* p = bytes)
            {
                int done = 0;
                while (done < bytes.Length)
                {
                    nint n = LibC.write(_writeFd, p + done, bytes.Length - done);
                    if (n > 0) { done += (int)n; continue; }
                    if (n < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == LibC.EINTR) continue;
                    if (!_warned)
                    {
                        _warned = true;
                        _warn($"the watchdog (pid {Pid}) is gone; children will outlive a SIGKILL of the node until its next start");
                    }
                    return;
                }
            }
        }
    }

    /// <summary>Closes the pipe (the watchdog kills what is still listed, and exits) and reaps the watchdog, waiting up to 2 s.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_writeFd < 0) return;
            LibC.close(_writeFd);
            _writeFd = -1;
        }
        int pidfd = LibC.PidfdOpen(Pid);
        if (pidfd >= 0)
        {
            long pollfd = (uint)pidfd | ((long)LibC.POLLIN << 32); // struct pollfd { int fd; short events; short revents; }
            LibC.poll(&pollfd, 1, 2000);
            LibC.close(pidfd);
        }
        int status;
        LibC.waitpid(Pid, &status, LibC.WNOHANG);
    }
}
