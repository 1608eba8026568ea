namespace Actors.Processes;

/// <summary>
/// What kills a node's leased process groups when the node stops confirming their lease: a separate process (the
/// watchdog) that is not frozen with the node. The node confirms a lease each time it took or renewed it; the
/// groups under it must be dead by the kill time it gives (see <see cref="DeadManFence"/>).
/// </summary>
public interface IDeadManSwitch
{
    /// <summary>
    /// <paramref name="lease"/> is held: its groups may live until <paramref name="killAt"/>, a
    /// <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> value (CLOCK_MONOTONIC, shared by every process of
    /// the machine). Never blocks.
    /// </summary>
    void Renewed(string lease, long killAt);
}
