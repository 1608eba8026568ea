using Akka.Actor;

namespace Actors.Node.Cluster;

/// <summary>
/// How the control API reaches the cluster actor: <see cref="Node"/> is null on a node without a cluster, and then
/// nothing of the cluster stack is ever loaded (this type names none of it).
/// </summary>
internal sealed class ClusterAccess
{
    public IActorRef? Node { get; set; }

    /// <summary>
    /// The names of this node's <c>placement = singleton</c> processes: start, stop and restart of one of these go to
    /// every node that declares it (the one that holds its lease runs it), not only to this node's copy.
    /// </summary>
    public IReadOnlySet<string> Singletons { get; set; } = new HashSet<string>();
}
