using Actors.Processes.Native;

namespace Actors.Processes;

/// <summary>
/// A real child, leader of its own process group. Until the main process is reaped its pid cannot be
/// reused, and the start time check guards the rest; after the reap the group id stays reserved by the
/// kernel for as long as any member is alive, so signalling the group only ever reaches our processes.
/// </summary>
/// <param name="onGone">Called once, when the main process was reaped and its owner released it (see <see cref="Release"/>).</param>
internal sealed class LinuxProcessHandle(int pid, long startTime, Action<LinuxProcessHandle>? onGone = null) : IProcessHandle
{
    private const int Reaped = 1, Released = 2;
    private volatile bool _reaped;
    private int _done; // Reaped | Released, set from the pump's thread and the owner's

    public int Pid { get; } = pid;
    public long StartTime { get; } = startTime;

    internal void MarkReaped()
    {
        _reaped = true;
        Mark(Reaped);
    }

    public void Release() => Mark(Released);

    private void Mark(int flag)
    {
        int before = Interlocked.Or(ref _done, flag);
        // Whichever of the two comes second reports: reaped (the pid is free) and released (the group is gone).
        if ((before | flag) == (Reaped | Released) && before != (Reaped | Released)) onGone?.Invoke(this);
    }

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
