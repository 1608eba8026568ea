using Actors.Native;

namespace Actors.Processes;

/// <summary>Waits for any process of this machine (not only a child) to end, through a pidfd: no polling.</summary>
public static unsafe class ProcessExit
{
    private const short POLLIN = 1;

    /// <summary>True once <paramref name="pid"/> is gone (or was already); false when it still runs after <paramref name="timeout"/>.</summary>
    public static bool WaitFor(int pid, TimeSpan timeout)
    {
        var fd = LibC.PidfdOpen(pid);
        if (fd < 0) return true; // ESRCH: no such process any more
        try
        {
            // struct pollfd { int fd; short events; short revents; }: a pidfd turns readable when the process ends.
            var entry = stackalloc int[2];
            entry[0] = fd;
            entry[1] = POLLIN;
            var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            while (true)
            {
                var left = Math.Max(0, deadline - Environment.TickCount64);
                var ready = LibC.poll(entry, 1, (int)Math.Min(left, int.MaxValue));
                if (ready > 0) return true;
                if (ready == 0) return false;
                // EINTR: a signal arrived; wait for the rest of the time.
            }
        }
        finally
        {
            LibC.close(fd);
        }
    }
}
