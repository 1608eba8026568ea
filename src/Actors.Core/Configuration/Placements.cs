namespace Actors.Configuration;

/// <summary>
/// The rules of <c>placement</c> across a file: a cluster placement needs the cluster, a singleton needs a lease, and a
/// process may depend only on processes that run on every node it runs on (else it would wait forever on the nodes
/// without them).
/// </summary>
internal static class Placements
{
    public static void Check(IReadOnlyList<ProcessSettings> processes, ClusterSettings? cluster, Diagnostics d)
    {
        var byName = processes.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var process in processes)
        {
            var path = $"actors.processes.{process.Name}.placement";
            switch (process.Placement)
            {
                case SingletonPlacement when cluster is null:
                    d.Error(path, "singleton needs a cluster (exactly one node of the cluster runs it): set actors.cluster.enabled = on with the cluster's " +
                                  "hostname and seed-nodes, or remove placement to run it on this node");
                    CheckSingleton(process, path, d);
                    break;
                case SingletonPlacement:
                    CheckSingleton(process, path, d);
                    break;
                case RolePlacement role when cluster is null:
                    d.Error(path, $"{{ role = \"{role.Role}\" }} needs a cluster (only the cluster's nodes with role {role.Role} run it): " +
                                  "set actors.cluster.enabled = on with the node's roles, or remove placement to run it on this node");
                    break;
            }
            foreach (var dependency in process.DependsOn)
            {
                if (!byName.TryGetValue(dependency.Name, out var target) || !target.Placement.IsClusterPlaced || target.Placement == process.Placement)
                    continue;
                d.Error($"actors.processes.{process.Name}.depends-on.{dependency.Name}",
                    $"{dependency.Name} runs only where placement {target.Placement.Describe()} puts it, but {process.Name} runs " +
                    $"{(process.Placement is LocalPlacement ? "on every node" : $"where placement {process.Placement.Describe()} puts it")}: " +
                    $"a node without {dependency.Name} would never start {process.Name}; give both the same placement or remove the dependency");
            }
        }
    }

    /// <summary>
    /// A singleton is kept to one node by its lease, not by cluster membership (see README, Cluster: singletons): every
    /// node declares it and the node that holds the lease runs it, so the lease is required, and one copy is the point.
    /// </summary>
    private static void CheckSingleton(ProcessSettings process, string path, Diagnostics d)
    {
        if (process.Lease is null)
            d.Error(path, $"singleton needs a lease: every node of the cluster declares {process.Name} and the one that holds its lease runs it; " +
                          $"add a lease {{ name = \"{process.Name}\", folder = \"/shared/leases\" }} block to {process.Name} (a folder every node shares), or name another store with lease.class");
        if (process.Replica is { Count: not 1 } replica)
            d.Error($"actors.processes.{process.Name}.replicas", $"{replica.Count} copies of a singleton: it runs once in the whole cluster; remove replicas or use placement = local");
    }
}
