namespace Actors.Leases;

/// <summary>
/// A lease that can drive a dead-man switch (the node's watchdog): it reports every holding that landed, and its
/// <see cref="Akka.Coordination.Lease.CheckLease"/> stops vouching for a holding once no heartbeat landed for the
/// time the switch allows. <see cref="FileLease"/> is one; a cluster singleton's lease can be another, and the
/// process supervisor wires whichever it is to the switch the same way.
/// </summary>
public interface IDeadManLease
{
    /// <summary>
    /// Told of every holding that landed with the <see cref="System.Diagnostics.Stopwatch"/> timestamp taken just
    /// before it was written. Must not block.
    /// </summary>
    Action<long>? Renewed { get; set; }

    /// <summary>
    /// Told of every new holding (a new token) with what a process outside the node needs to free it once the node is
    /// dead and what ran under it was killed (see <see cref="Actors.Processes.LeaseHolding"/>); a lease that cannot be
    /// freed that way never calls it. Must not block.
    /// </summary>
    Action<Actors.Processes.LeaseHolding>? Held { get; set; }
}
