using Akka.Actor;
using Akka.Discovery;
using Akka.Management.Cluster.Bootstrap;

namespace Actors.Node.Cluster;

/// <summary>
/// The bootstrap's join decider (<c>akka.management.cluster.bootstrap.join-decider.class</c>): Akka's lowest-address
/// rule decides whether to keep probing, form a new cluster or join the one a contact point is in; before the node
/// joins a cluster, this node's cluster actor has a member of it compare the declarations (<see cref="ClusterNodeActor"/>,
/// Bootstrap), and only a member that agrees lets the join go ahead. A node that is refused stops with the difference
/// and never joins, exactly as with seed nodes. Created by Akka.Management (by class name, with these parameters).
/// </summary>
public sealed class CheckedJoinDecider(ActorSystem system, ClusterBootstrapSettings settings) : LowestAddressJoinDecider(system, settings)
{
    /// <summary>How long a decision waits for a member's answer before it probes again (a remote association on a busy machine).</summary>
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(10);

    private readonly ActorSystem _system = system;

    public override async Task<IJoinDecision> Decide(SeedNodesInformation info)
    {
        var decision = await base.Decide(info);
        var node = _system.ActorSelection($"/user/{ClusterNode.Name}");
        switch (decision)
        {
            case JoinOtherSeedNodes join:
                var self = Akka.Cluster.Cluster.Get(_system).SelfAddress;
                var members = join.SeedNodes.Where(a => !a.Equals(self)).ToList();
                if (members.Count == 0) return KeepProbing.Instance;
                try
                {
                    var checkedBy = await node.Ask<ClusterNodeActor.BootstrapChecked>(new ClusterNodeActor.BootstrapCheck(members), CheckTimeout);
                    return checkedBy.Agreed ? decision : KeepProbing.Instance;
                }
                catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or ActorNotFoundException)
                {
                    return KeepProbing.Instance;
                }
            case JoinSelf:
                node.Tell(new ClusterNodeActor.BootstrapForms());
                return decision;
            default:
                node.Tell(Waiting(info));
                return decision;
        }
    }

    /// <summary>Whom the node waits for: the contact points that do not answer, else the lowest one, which forms the cluster.</summary>
    private ClusterNodeActor.BootstrapWaiting Waiting(SeedNodesInformation info)
    {
        var answered = info.SeedNodesObservations.Select(o => o.ContactPoint).ToHashSet();
        var unanswered = info.ContactPoints.Where(p => !answered.Contains(p)).Select(Name).Order(StringComparer.Ordinal).ToList();
        string? forming = null;
        if (unanswered.Count == 0 && LowestAddressContactPoint(info) is { } lowest)
        {
            // This node's own contact point: its management endpoint, as ClusterBootstrapHosting configured it.
            var config = _system.Settings.Config;
            var self = (config.GetString("akka.management.http.hostname"), config.GetInt("akka.management.http.port"));
            forming = MatchesSelf(lowest, self) ? null : Name(lowest);
        }
        return new ClusterNodeActor.BootstrapWaiting(unanswered, forming);
    }

    private static string Name(ServiceDiscovery.ResolvedTarget target) => $"{target.Host}:{target.Port}";
}
