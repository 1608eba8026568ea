using Actors.Processes.Native;

namespace Actors.Processes;

/// <summary>
/// A real child, leader of its own process group. Until the main process is reaped its pid cannot be
/// reused, and the start time check guards the rest; after the reap the group id stays reserved by the
/// kernel for as long as any member is alive, so signalling the group only ever reaches our processes.
/// </summary>
internal sealed class LinuxProcessHandle(int pid, long startTime) : IProcessHandle
{
    private volatile bool _reaped;

    public int Pid { get; } = pid;
    public long StartTime { get; } = startTime;

    internal void MarkReaped() => _reaped = true;

    public bool Signal(int signal)
    {
        // Once reaped the pid may belong to anyone; before that, the start time proves it is still ours.
        if (_reaped || !ProcStat.Matches(Pid, StartTime)) return false;
        return LibC.kill(Pid, signal) == 0;
    }

    public bool SignalGroup(int signal)
    {
        // A main process still unreaped is ours by construction; checking its start time costs one small read
        // and protects against a stale handle ever reaching another process.
        if (!_reaped && !ProcStat.Matches(Pid, StartTime) && !IsGroupAlive()) return false;
        return LibC.kill(-Pid, signal) == 0;
    }

    public bool IsGroupAlive()
    {
        if (LibC.kill(-Pid, 0) != 0) return false;
        // kill(0) also succeeds for zombies; a group whose only members are zombies is over.
        return _reaped ? GroupHasLiveMember() : true;
    }

    private bool GroupHasLiveMember()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir.AsSpan());
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]) || !int.TryParse(name, out var pid)) continue;
            if (ProcStat.ReadProcessGroup(pid) == Pid && !ProcStat.IsZombie(pid)) return true;
        }
        return false;
    }

    public override string ToString() => $"pid {Pid}";
}
