using Akka.Cluster;
using Actors.Supervision;

namespace Actors.Node.Cluster;

/// <summary>
/// When this node may run singletons (<c>placement = singleton</c>), decided here only, from what the cluster says of
/// this node: it may while it is an up member of a cluster that has been formed (<c>min-nr-of-members</c> up at once,
/// seen by this node while up). It may not before it joined, while the cluster is still forming, and from the moment
/// it is leaving, exiting, downed or removed, or the cluster stopped on this node. The gate only says who may try for
/// the singleton's lease; the lease alone decides who runs it (see README, Cluster: singletons).
/// <para>
/// "Formed" is kept once reached: a member that later dies stays in the count until the split brain resolver removes
/// it, and a cluster smaller than min-nr-of-members after that is still the cluster (Akka's own min-nr-of-members
/// gates only the first move to up). An unreachable member changes nothing here: the split brain resolver downs one
/// side, and the side it downs closes its gate when it learns it.
/// </para>
/// </summary>
internal sealed class SingletonGate(int minNrOfMembers)
{
    private bool _formed, _member;

    /// <summary>The gate for this node's state: <paramref name="self"/> null when it is not (or no longer) a member.</summary>
    public ProcessSupervisor.PlacementGate Decide(MemberStatus? self, int upMembers)
    {
        _member |= self is not null;
        switch (self)
        {
            case null:
                return Closed(_member ? "this node is no longer a member of the cluster" : "this node has not joined the cluster yet");
            case MemberStatus.Joining or MemberStatus.WeaklyUp:
                return Closed($"this node is {Display(self.Value)}, not yet up");
            case MemberStatus.Up:
                if (!_formed && upMembers < minNrOfMembers)
                    return Closed($"the cluster is not formed yet: {upMembers} of min-nr-of-members = {minNrOfMembers} up");
                _formed = true;
                return new ProcessSupervisor.PlacementGate(true, "this node is an up member of the cluster");
            case MemberStatus.Down:
                return Closed("this node was downed (by the split brain resolver, or by an operator)");
            case MemberStatus.Removed:
                return Closed("this node was removed from the cluster");
            default:
                return Closed($"this node is {Display(self.Value)} the cluster");
        }
    }

    private static string Display(MemberStatus status) => status.ToString().ToLowerInvariant() switch
    {
        "weaklyup" => "weakly up",
        var s => s,
    };

    private static ProcessSupervisor.PlacementGate Closed(string reason) => new(false, reason);

    /// <summary>The cluster extension stopped on this node (or its actor did): whatever the last word was.</summary>
    public static readonly ProcessSupervisor.PlacementGate ClusterStopped = Closed("the cluster stopped on this node");
}
