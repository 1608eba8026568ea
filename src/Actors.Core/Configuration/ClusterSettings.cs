namespace Actors.Configuration;

/// <summary>
/// <c>actors.cluster</c> when <c>enabled = on</c>: this node's address, the seed nodes it joins through, its roles,
/// and the settings that decide how fast a dead node is noticed and removed (see README.md, Cluster: the failover
/// formula). Null in <see cref="ActorsSettings.Cluster"/> when the cluster is off.
/// </summary>
public sealed record ClusterSettings(
    string Hostname,
    int Port,
    IReadOnlyList<ClusterSeed> SeedNodes,
    IReadOnlyList<string> Roles,
    int MinNrOfMembers,
    TimeSpan HeartbeatInterval,
    TimeSpan AcceptablePause,
    TimeSpan StableAfter,
    TimeSpan DownRemovalMargin,
    SplitBrainStrategy SplitBrainResolver)
{
    /// <summary><c>actors.cluster.lease</c> when configured (a folder or a class): the lease lease-majority decides with.</summary>
    public ClusterLeaseSettings? Lease { get; init; }

    /// <summary><c>actors.cluster.bootstrap</c> when enabled: the node joins through its contact points, not seed-nodes.</summary>
    public ClusterBootstrapSettings? Bootstrap { get; init; }

    /// <summary>This node's own <c>host:port</c>, as seed-nodes name nodes.</summary>
    public ClusterSeed Self => new(Hostname, Port);

    /// <summary>
    /// Failover after a node dies, before any hand-over: the failure detector's pause, a heartbeat or two to agree on
    /// unreachability, the split brain resolver's stable-after, then the removal margin. README.md shows the formula.
    /// </summary>
    public TimeSpan FailoverBeforeHandOver => AcceptablePause + 2 * HeartbeatInterval + StableAfter + DownRemovalMargin;
}

/// <summary>
/// <c>actors.cluster.bootstrap</c> when <c>enabled = on</c>: the nodes' management endpoints to probe
/// (<see cref="ContactPoints"/>, host:management-port), this node's own <see cref="ManagementPort"/>, how many contact
/// points must answer before the lowest of them forms a new cluster (<see cref="AllRequired"/>: every one listed), and
/// how long their answers must stay the same before it does (<see cref="StableMargin"/>).
/// </summary>
public sealed record ClusterBootstrapSettings(
    IReadOnlyList<ClusterSeed> ContactPoints,
    int ManagementPort,
    int RequiredContactPoints,
    bool AllRequired,
    TimeSpan StableMargin);

/// <summary>One seed node, <c>"host:port"</c>.</summary>
public sealed record ClusterSeed(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>
/// How the split brain resolver decides which side of a partition survives (Akka.Cluster.SBR's active-strategy).
/// Only strategies that never leave two sides running are accepted.
/// </summary>
public enum SplitBrainStrategy
{
    /// <summary>The side with more than half of the members stays; on a tie, the side with the lowest address.</summary>
    KeepMajority,
    /// <summary>The side with the oldest member stays; the oldest alone downs itself (down-if-alone).</summary>
    KeepOldest,
    /// <summary>
    /// The side that takes <c>actors.cluster.lease</c> stays; a minority side tries only after
    /// acquire-delay-for-minority, so the majority wins when it can reach the lease.
    /// </summary>
    LeaseMajority,
}

/// <summary>
/// <c>actors.cluster.lease</c>: the lease the split brain resolver's lease-majority takes, a file lease on a folder
/// every node shares or the <c>class</c> a user names (<see cref="Lease"/> carries the keys a process's lease block
/// has), and how the resolver uses it: a minority side waits <see cref="AcquireDelayForMinority"/> before it tries; the
/// side that took it gives it back <see cref="ReleaseAfter"/> later.
/// </summary>
public sealed record ClusterLeaseSettings(ProcessLeaseSettings Lease, TimeSpan AcquireDelayForMinority, TimeSpan ReleaseAfter);

/// <summary>
/// Where a declared process runs (<c>placement</c>). <see cref="Local"/>: every node runs its own declared processes
/// (the default; a node without a cluster has only these). <see cref="RolePlacement"/>: only nodes of the cluster with
/// that role. <see cref="SingletonPlacement"/>: exactly one node of the cluster. Whether this node runs a process
/// is decided here, in <see cref="RunsHere"/>, for every placement.
/// </summary>
public abstract record Placement
{
    public static readonly Placement Local = new LocalPlacement();
    public static readonly Placement Singleton = new SingletonPlacement();

    /// <summary>Placed by the cluster (not local): every node must declare it alike.</summary>
    public bool IsClusterPlaced => this is not LocalPlacement;

    /// <summary>Whether a node with <paramref name="roles"/> supervises the process itself from its start.</summary>
    public abstract bool RunsHere(IReadOnlyCollection<string> roles);

    /// <summary>As written in the configuration.</summary>
    public abstract string Describe();
}

/// <summary><c>placement = local</c>.</summary>
public sealed record LocalPlacement : Placement
{
    public override bool RunsHere(IReadOnlyCollection<string> roles) => true;
    public override string Describe() => "local";
}

/// <summary><c>placement { role = "db" }</c>.</summary>
public sealed record RolePlacement(string Role) : Placement
{
    public override bool RunsHere(IReadOnlyCollection<string> roles) => roles.Contains(Role);
    public override string Describe() => $"role {Role}";
}

/// <summary>
/// <c>placement = singleton</c>: every node of the cluster declares and supervises it, and only the node that holds its
/// lease runs it; a node tries for the lease only while it is an up member of the formed cluster (see
/// <c>ProcessLifecycle.Gate.cs</c>). With a <see cref="Role"/> (<c>placement { role = "db", singleton = on }</c>) only
/// the nodes with that role supervise it and try for its lease; the others do not declare it as theirs at all.
/// </summary>
public sealed record SingletonPlacement(string? Role = null) : Placement
{
    public override bool RunsHere(IReadOnlyCollection<string> roles) => Role is null || roles.Contains(Role);
    public override string Describe() => Role is null ? "singleton" : $"singleton among role {Role}";
}
