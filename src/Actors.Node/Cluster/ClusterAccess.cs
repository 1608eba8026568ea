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
    /// The names of the <c>placement = singleton</c> processes the file declares (with a role too, whether or not this
    /// node has it): start, stop and restart of one of these go to every node that declares it (the one that holds its
    /// lease runs it), not only to this node's copy.
    /// </summary>
    public IReadOnlySet<string> Singletons { get; private set; } = new HashSet<string>();

    /// <summary>Those of <see cref="Singletons"/> this node supervises itself (a role singleton only on a node with the role).</summary>
    public IReadOnlySet<string> SingletonsHere { get; private set; } = new HashSet<string>();

    /// <summary>From the file as started or reloaded.</summary>
    public void SetSingletons(Configuration.ActorsSettings settings)
    {
        SingletonsHere = settings.Processes.Where(p => p.Placement is Configuration.SingletonPlacement).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        Singletons = settings.PlacedElsewhere.Where(p => p.Placement is Configuration.SingletonPlacement).Select(p => p.Name).Concat(SingletonsHere).ToHashSet(StringComparer.Ordinal);
    }
}
