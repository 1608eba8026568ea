using Akka.Actor;

namespace Actors.Node.Cluster;

/// <summary>
/// How the control API reaches the cluster actor: <see cref="Node"/> is null on a node without a cluster, and then
/// nothing of the cluster stack is ever loaded (this type names none of it).
/// </summary>
internal sealed class ClusterAccess
{
    public IActorRef? Node { get; set; }
}
