namespace Actors.Processes;

/// <summary>
/// Told by <see cref="LinuxProcessLauncher"/> about every child it starts and every child that is gone for
/// good, so that what a node started can be found and stopped even when the node itself cannot do it: the
/// durable <see cref="PidRegistry"/> (read at the next boot) and the <see cref="WatchdogLink"/> (acts the
/// moment the node dies). Calls come from the launcher's threads and the runners' threads: implementations
/// are thread-safe, fast, and never throw.
/// </summary>
public interface IPidRegistry
{
    /// <summary>
    /// A child started. It leads its own process group, so its pid is also its pgid; <paramref name="startTime"/>
    /// is from /proc (clock ticks since boot) and tells it from a later process given the same pid.
    /// </summary>
    void Added(string name, int pid, long startTime);

    /// <summary>
    /// The child <paramref name="pid"/> started at <paramref name="startTime"/> was reaped and its owner saw its
    /// whole group gone (or killed it while stopping). The start time matters: once reaped, the pid may already
    /// belong to a newer child, whose record must stay.
    /// </summary>
    void Removed(int pid, long startTime);

    /// <summary>
    /// The child just <see cref="Added"/> runs under a lease: the dead-man switch stops it when the node stops
    /// confirming that lease (see <see cref="IDeadManSwitch"/>). Only the watchdog acts on it.
    /// </summary>
    void Fenced(int pid, long startTime, DeadManFence fence) { }
}

/// <summary>Tells several registries, in order.</summary>
public sealed class CompositePidRegistry(params IPidRegistry[] parts) : IPidRegistry
{
    public void Added(string name, int pid, long startTime)
    {
        foreach (var part in parts) part.Added(name, pid, startTime);
    }

    public void Removed(int pid, long startTime)
    {
        foreach (var part in parts) part.Removed(pid, startTime);
    }

    public void Fenced(int pid, long startTime, DeadManFence fence)
    {
        foreach (var part in parts) part.Fenced(pid, startTime, fence);
    }
}
