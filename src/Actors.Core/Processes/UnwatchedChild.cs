using System.Runtime.InteropServices;
using Actors.Native;

namespace Actors.Processes;

/// <summary>
/// The end of a child that no one can watch (the <see cref="OutputPump"/> could not add its watch, or was disposed
/// with it still watched): SIGKILL to its group, then its reap, bounded.
/// </summary>
internal static unsafe class UnwatchedChild
{
    /// <summary>
    /// SIGKILL to the group of a child we cannot watch, then its reap, bounded: a child stuck in an uninterruptible
    /// wait (a dead NFS mount) must not hold the spawner thread, and with it every other start, for as long as it
    /// is stuck. Such a child is left to the orphan sweep and reported killed.
    /// </summary>
    public static ExitStatus KillAndReap(LinuxProcessHandle handle) =>
        KillAndReapWithin(handle, TimeSpan.FromSeconds(2)) ?? ExitStatus.Killed(LibC.SIGKILL);

    /// <summary>
    /// SIGKILL to the group, then a reap once the child died within <paramref name="bound"/>: its status, or null
    /// when it did not die in time (it is left to the orphan sweep rather than hold up a start or a shutdown).
    /// </summary>
    public static ExitStatus? KillAndReapWithin(LinuxProcessHandle handle, TimeSpan bound)
    {
        handle.SignalGroup(LibC.SIGKILL);
        if (ProcessExit.WaitFor(handle.Pid, bound))
        {
            int status;
            int rc;
            do { rc = LibC.waitpid(handle.Pid, &status, LibC.WNOHANG); }
            while (rc < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR);
            if (rc > 0)
            {
                handle.MarkReaped();
                return ExitStatus.FromWaitStatus(status);
            }
        }
        AdoptedOrphans.Watch(handle.Pid, handle.StartTime);
        return null;
    }
}
