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
}
