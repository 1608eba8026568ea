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

    /// <summary>
    /// The node took a new holding of a lease kept in a file: if the node dies, the switch frees it once the groups
    /// under it are dead (see <see cref="LeaseHolding"/>). Never blocks.
    /// </summary>
    void Held(LeaseHolding holding);
}
