using Actors.Configuration;

namespace Actors.Node.Cluster;

/// <summary>
/// The node's cluster actor (<c>/user/actors-cluster</c>, only when <c>actors.cluster.enabled = on</c>): it joins the
/// cluster, publishes this node's process status into DistributedData, keeps the fleet's view, and carries start,
/// stop and restart to the node that runs a process. These messages name no Akka.Cluster type, so the control API
/// can use them without loading the cluster stack on a node that has none.
/// </summary>
public static class ClusterNode
{
    /// <summary>The actor's name under /user, the same on every node (the other nodes address it by path).</summary>
    public const string Name = "actors-cluster";

    /// <summary>Query: every member and what each published. Answered with <see cref="Fleet"/>.</summary>
    public sealed record GetFleet;

    /// <summary>The fleet as this node sees it, members in address order.</summary>
    public sealed record Fleet(MembersView Members, IReadOnlyList<FleetNode> Nodes);

    /// <summary>
    /// One member and its processes: <paramref name="ProcessesJson"/> is the JSON array the node published (null until
    /// its first publication reached this node), <paramref name="PublishedAt"/> when it published it.
    /// </summary>
    public sealed record FleetNode(MemberView Member, string? ProcessesJson, DateTimeOffset? PublishedAt);

    /// <summary>Query: the members, their roles and reachability, the leader. Answered with <see cref="MembersView"/>.</summary>
    public sealed record GetMembers;

    /// <summary>
    /// The cluster as this node sees it. <paramref name="Joined"/> is false while the node waits for its seed nodes
    /// (<paramref name="WaitingFor"/>); <paramref name="Formed"/> once min-nr-of-members are up.
    /// </summary>
    public sealed record MembersView(
        string Self, bool Joined, bool Formed, int MinNrOfMembers, string? Leader,
        IReadOnlyList<MemberView> Members, IReadOnlyList<string> WaitingFor)
    {
        /// <summary>The node joins through bootstrap: <see cref="WaitingFor"/> names contact points, not seed nodes.</summary>
        public bool Bootstrap { get; init; }
    }

    /// <summary>One member: <c>host:port</c>, Akka's member status (joining, up, leaving...), roles, reachability.</summary>
    public sealed record MemberView(string Address, string Status, IReadOnlyList<string> Roles, bool Reachable, bool IsLeader, bool IsSelf);

    /// <summary>
    /// Command: run <paramref name="Verb"/> (start, stop, restart) for processes this node does not run, on the nodes that
    /// run them. Answered with <see cref="Routed"/>.
    /// </summary>
    public sealed record RouteCommand(IReadOnlyList<string> Names, string Verb)
    {
        /// <summary>
        /// For singletons: to every member that declares the names, this node included. A stop goes first to the nodes
        /// that do not run it and then to the one that does, so that no waiting copy takes the lease it gives back.
        /// </summary>
        public bool Everywhere { get; init; }

        /// <summary>With <see cref="Everywhere"/>: this node declares one of the names as its own (a singleton placed by a role it lacks it does not).</summary>
        public bool IncludeSelf { get; init; } = true;
    }

    /// <summary>
    /// A reload applied new declarations: a node that joins from now on is compared with these (a node started with
    /// the file every node was reloaded with is not refused for matching it).
    /// </summary>
    public sealed record DeclarationsReloaded(ClusterDeclarations Declarations);

    /// <summary>The results from the nodes, and the names no member runs.</summary>
    public sealed record Routed(IReadOnlyList<CommandResult> Results, IReadOnlyList<string> Unknown, IReadOnlyList<string> KnownInFleet);

    /// <summary>One process's result on one node; <paramref name="StatusJson"/> its status as <c>/v1/status</c> writes it.</summary>
    public sealed record CommandResult(string Name, string Node, bool Ok, string Message, string? StatusJson) : IClusterWireMessage;
}

/// <summary>Messages that go between nodes; <see cref="ClusterWire"/> serializes them as JSON.</summary>
public interface IClusterWireMessage;

/// <summary>A joining node's declarations of the cluster-placed processes, for a seed node to compare with its own.</summary>
public sealed record CheckDeclarations(string DeclarationsJson, string From) : IClusterWireMessage;

/// <summary>The seed node's answer: the differences (empty: alike), from the joining node's point of view.</summary>
public sealed record DeclarationsChecked(IReadOnlyList<string> Differences, string By) : IClusterWireMessage;

/// <summary>Run a verb on processes of the receiving node (sent by the node whose user asked).</summary>
public sealed record RunCommand(IReadOnlyList<string> Names, string Verb) : IClusterWireMessage;

/// <summary>What <see cref="RunCommand"/> did, per process.</summary>
public sealed record CommandResults(string Node, IReadOnlyList<ClusterNode.CommandResult> Results) : IClusterWireMessage;
