using System.Runtime.InteropServices;
using Actors.Native;

namespace Actors.Processes;

/// <summary>
/// The one way anything in Actors signals a process or a process group. A pid or group id is a number the kernel
/// hands out again once it is free (here every 32,768 processes), so a bare <c>kill(-pgid)</c> after the leader
/// was reaped may reach someone else's new group. Every signal here goes through a pidfd, which names one process
/// (one kernel <c>struct pid</c>) and never a later one with the same number:
/// <list type="bullet">
/// <item>One process: <see cref="OpenProcess"/> opens its pidfd, then checks the recorded start time, so the pidfd
/// pins the very process that was checked; the signal goes through it.</item>
/// <item>A group: through its leader's pidfd with <c>PIDFD_SIGNAL_PROCESS_GROUP</c> (Linux 6.9). The kernel signals
/// the members of the group that pidfd's <c>struct pid</c> names, also after the leader was reaped; a group id
/// freed and reused is a different <c>struct pid</c>, so it is never reached. The pidfd is taken while the leader
/// is provably ours (our unreaped child, or its start time checked after opening).</item>
/// <item>A group whose leader is gone and whose pidfd nobody kept (the watchdog's view, the pid registry's at boot):
/// each member gets the signal through its own pidfd, and only while a member carrying our
/// marker is in the group: a group id is not handed out again while any member lives.</item>
/// </list>
/// Before Linux 6.9 (no group flag) a group is signalled with <c>kill(-pgid)</c> only while its leader is unreaped
/// (it holds the id), else member by member as above.
/// </summary>
public static class ProcessGroupSignal
{
    /// <summary>
    /// A pidfd for <paramref name="pid"/> if it is the process started at <paramref name="startTime"/>, else -1.
    /// Opened first, checked second: a process that holds the pid at the check and was started before the open
    /// held it at the open too, so the pidfd names what was checked. The caller closes it.
    /// </summary>
    public static int OpenProcess(int pid, long startTime)
    {
        if (pid <= 1) return -1;
        int fd = LibC.PidfdOpen(pid);
        if (fd < 0) return -1;
        if (ProcStat.ReadStartTime(pid) == startTime) return fd;
        LibC.close(fd);
        return -1;
    }

    /// <summary><paramref name="signal"/> to the process <paramref name="pidfd"/> names; false when it was reaped (or the fd is not a pidfd).</summary>
    public static bool ToProcess(int pidfd, int signal) => pidfd >= 0 && LibC.PidfdSendSignal(pidfd, signal, 0) == 0;

    /// <summary><paramref name="signal"/> to <paramref name="pid"/> only if it is the process started at <paramref name="startTime"/>.</summary>
    public static bool ToProcess(int pid, long startTime, int signal)
    {
        int fd = OpenProcess(pid, startTime);
        if (fd < 0) return false;
        try { return ToProcess(fd, signal); }
        finally { LibC.close(fd); }
    }

    /// <summary>
    /// <paramref name="signal"/> to the group led by the process <paramref name="leaderPidfd"/> names (group id
    /// <paramref name="pgid"/>), whether or not the leader was reaped. False when the group has no member left.
    /// </summary>
    /// <param name="marker">For kernels before 6.9 once the leader is reaped: the environment entry its members carry.</param>
    public static bool ToGroup(int leaderPidfd, int pgid, int signal, string? marker)
    {
        if (leaderPidfd < 0 || pgid <= 1) return false;
        if (LibC.PidfdSendSignal(leaderPidfd, signal, LibC.PIDFD_SIGNAL_PROCESS_GROUP) == 0) return true;
        if (Marshal.GetLastPInvokeError() != LibC.EINVAL) return false; // ESRCH: nobody left in that group
        // No group flag (before Linux 6.9): an unreaped leader (a zombie included) still holds the group id.
        if (ToProcess(leaderPidfd, 0)) return LibC.kill(-pgid, signal) == 0;
        return marker is not null && ToMarkedGroup(pgid, marker, signal) > 0;
    }

    /// <summary>True while the group the leader's pidfd names has any member, zombies included.</summary>
    public static bool GroupExists(int leaderPidfd, int pgid, string? marker) => ToGroup(leaderPidfd, pgid, 0, marker);

    /// <summary>
    /// <paramref name="signal"/> to group <paramref name="pgid"/> if its leader is the process started at
    /// <paramref name="leaderStartTime"/>, or, the leader gone, to its members while one of them carries
    /// <paramref name="marker"/> (an environment entry, <c>NAME=VALUE</c>). For who holds no pidfd of the leader:
    /// the watchdog, the pid registry at boot.
    /// </summary>
    /// <returns>True when the signal reached the group.</returns>
    public static bool ToGroupOf(int pgid, long leaderStartTime, string? marker, int signal)
    {
        int fd = OpenProcess(pgid, leaderStartTime);
        if (fd >= 0)
        {
            try { return ToGroup(fd, pgid, signal, marker); }
            finally { LibC.close(fd); }
        }
        // The pid is held by another process: then our group is empty (its id would still be taken otherwise).
        if (ProcStat.ReadStartTime(pgid) is not null) return false;
        return marker is not null && ToMarkedGroup(pgid, marker, signal) > 0;
    }

    /// <summary>
    /// SIGKILL to the group of <paramref name="pid"/>, our child that was just spawned and that no pidfd could be
    /// opened for, then reaps it. Unreaped, it holds its group id, so <c>kill(-pid)</c> reaches only its group.
    /// </summary>
    internal static unsafe void KillUnwatchedChild(int pid)
    {
        if (pid <= 1) return;
        LibC.kill(-pid, LibC.SIGKILL);
        int status;
        while (LibC.waitpid(pid, &status, 0) < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR) { }
    }

    /// <summary>
    /// <paramref name="signal"/> to every live member of group <paramref name="pgid"/>, each through its own pidfd,
    /// if at least one of them carries <paramref name="marker"/> in its environment; else to none.
    /// </summary>
    /// <returns>The number of processes signalled.</returns>
    public static int ToMarkedGroup(int pgid, string marker, int signal)
    {
        if (pgid <= 1) return 0;
        var members = new List<(int Fd, int Pid, long StartTime)>();
        bool marked = false;
        try
        {
            foreach (var candidate in SharedProcTable.Current(System.Diagnostics.Stopwatch.GetTimestamp()))
            {
                if (candidate.Pgid != pgid || candidate.Zombie) continue;
                int fd = LibC.PidfdOpen(candidate.Pid);
                if (fd < 0) continue;
                // Read after the open, then make sure the pidfd's process was not reaped meanwhile: what was read is about it.
                bool isMember = ProcTable.ReadOne(candidate.Pid) is { } now && now.Pgid == pgid && now.StartTime == candidate.StartTime;
                bool isMarked = isMember && ProcTable.EnvironHas(candidate.Pid, marker);
                if (!isMember || !ToProcess(fd, 0))
                {
                    LibC.close(fd);
                    continue;
                }
                members.Add((fd, candidate.Pid, candidate.StartTime));
                marked |= isMarked;
            }
            if (!marked) return 0;
            int sent = 0;
            foreach (var member in members)
            {
                if (!ToProcess(member.Fd, signal)) continue;
                sent++;
                // The node reaps what it adopts (a leader is its parent's to reap).
#if !ACTORS_WATCHDOG // the watchdog program is no subreaper: it adopts nothing
                if (signal == LibC.SIGKILL && member.Pid != pgid) AdoptedOrphans.Watch(member.Pid, member.StartTime);
#endif
            }
            return sent;
        }
        finally
        {
            foreach (var member in members) LibC.close(member.Fd);
        }
    }
}
