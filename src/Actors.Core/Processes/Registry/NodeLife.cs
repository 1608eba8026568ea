using System.Runtime.InteropServices;
using Actors.Native;

namespace Actors.Processes;

/// <summary>
/// For the <see cref="Watchdog"/>: whether its node has ended. A pidfd opened while the node runs stays bound
/// to that process, whoever gets its pid later, and turns readable once every thread of it has exited (a
/// zombie counts as ended; /proc would still show it with its start time). Without pidfds (Linux before 5.3),
/// /proc is read every 100 ms.
/// </summary>
internal sealed unsafe class NodeLife : IDisposable
{
    private const short POLLIN = 1;
    private readonly int _pid;
    private readonly long _startTime;
    private int _pidfd;
    private bool _ended;

    private NodeLife(int pid, long startTime, int pidfd, bool ended) => (_pid, _startTime, _pidfd, _ended) = (pid, startTime, pidfd, ended);

    /// <summary>The node <paramref name="pid"/> started at <paramref name="startTime"/>; unknown (null) counts as already ended.</summary>
    public static NodeLife Watch(int pid, long? startTime)
    {
        if (pid <= 0 || startTime is not { } start) return new NodeLife(pid, 0, -1, ended: true);
        int pidfd = LibC.PidfdOpen(pid);
        bool noPidfd = pidfd < 0 && Marshal.GetLastPInvokeError() != LibC.ESRCH;
        // Checked after opening: the pidfd is then known to be this node, not a later holder of its pid.
        if (!IsLive(pid, start))
        {
            if (pidfd >= 0) LibC.close(pidfd);
            return new NodeLife(pid, start, -1, ended: true);
        }
        return new NodeLife(pid, start, noPidfd ? -1 : pidfd, ended: pidfd < 0 && !noPidfd);
    }

    /// <summary>True once the node has ended (at once if it has); false if it still runs after <paramref name="timeout"/>.</summary>
    public bool WaitForEnd(TimeSpan timeout)
    {
        if (_ended) return true;
        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        // struct pollfd { int fd; short events; short revents; }
        var entry = stackalloc int[2];
        while (true)
        {
            long left = deadline - Environment.TickCount64;
            if (left < 0) left = 0;
            if (_pidfd >= 0)
            {
                entry[0] = _pidfd;
                entry[1] = POLLIN;
                int ready = LibC.poll(entry, 1, deadline == long.MaxValue ? -1 : (int)Math.Min(left, int.MaxValue));
                if (ready > 0) return _ended = true;
                if (ready == 0) return false;
                continue; // EINTR
            }
            if (!IsLive(_pid, _startTime)) return _ended = true;
            if (left == 0) return false;
            Thread.Sleep((int)Math.Min(left, 100));
        }
    }

    private static bool IsLive(int pid, long startTime) => ProcStat.Matches(pid, startTime) && !ProcStat.IsZombie(pid);

    public void Dispose()
    {
        if (_pidfd >= 0) LibC.close(_pidfd);
        _pidfd = -1;
    }
}
