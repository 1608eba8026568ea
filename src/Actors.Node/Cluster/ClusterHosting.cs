using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using Actors.Configuration;
using Actors.Node.Hosting;
using Actors.Supervision;
using Actors.Hosting;
using Actors.Leases;

namespace Actors.Node.Cluster;

/// <summary>
/// Turns <c>actors.cluster</c> into the ActorSystem's cluster configuration and starts the cluster actor. Called only
/// when the cluster is on: the types of Akka.Cluster, Akka.Remote and Akka.DistributedData are reached from here only,
/// so a node without a cluster never loads them.
/// </summary>
internal static class ClusterHosting
{
    /// <summary>The ActorSystem's name: part of every node's address (akka.tcp://actors@host:port).</summary>
    public const string SystemName = "actors";

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static void Add(AkkaConfigurationBuilder akka, ActorsSettings settings, ClusterSettings cluster, ClusterAccess access, RunOutcome? outcome)
    {
        // Akka's LeaseProvider finds a lease.class by name only: its assembly is looked up (and lease.assembly's folder
        // registered) before the cluster starts. check-config has said whether it can be found.
        if (cluster.Lease?.Lease is { Class: { } leaseClass } lease) LeaseClass.Resolve(leaseClass, lease.Assembly, out _);
        akka.AddHocon(Hocon(cluster), HoconAddMode.Prepend);
        // Bootstrap instead of seed nodes: only then is Akka.Management reached (ClusterBootstrapHosting names its types).
        if (cluster.Bootstrap is { } bootstrap) akka.AddHocon(ClusterBootstrapHosting.Hocon(cluster, bootstrap), HoconAddMode.Prepend);
        access.SetSingletons(settings);
        akka.WithActors((system, registry, resolver) =>
        {
            var node = system.ActorOf(ClusterNodeActor.Props(settings, cluster, registry.Get<ProcessSupervision>(), outcome), ClusterNode.Name);
            access.Node = node;
            if (cluster.Bootstrap is not null)
                ClusterBootstrapHosting.Start(system, node, cluster, resolver.GetService<Microsoft.Extensions.Logging.ILoggerFactory>());
        });
    }

    /// <summary>
    /// Seed nodes are not given to Akka: the cluster actor first asks a seed node whether this node's declarations match
    /// (a node that differs is refused before it joins), then joins them itself.
    /// </summary>
    public static string Hocon(ClusterSettings c)
    {
        static string S(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        var roles = string.Join(", ", c.Roles.Select(r => $"\"{r}\""));
        var strategy = c.SplitBrainResolver switch
        {
            SplitBrainStrategy.KeepOldest => "keep-oldest",
            SplitBrainStrategy.LeaseMajority => "lease-majority",
            _ => "keep-majority",
        };
        return $$"""
            akka.actor.provider = cluster
            akka.actor.serializers.actors-cluster = "{{typeof(ClusterWire).FullName}}, {{typeof(ClusterWire).Assembly.GetName().Name}}"
            akka.actor.serialization-bindings { "{{typeof(IClusterWireMessage).FullName}}, {{typeof(IClusterWireMessage).Assembly.GetName().Name}}" = actors-cluster }
            akka.actor.serialization-identifiers { "{{typeof(ClusterWire).FullName}}, {{typeof(ClusterWire).Assembly.GetName().Name}}" = {{ClusterWire.Id}} }
            akka.remote.dot-netty.tcp {
              hostname = "{{c.Hostname}}"
              port = {{c.Port}}
              # A node's status with hundreds of processes is one DistributedData value: more than the 128 kB default frame.
              maximum-frame-size = 4194304b
              send-buffer-size = 8388608b
              receive-buffer-size = 8388608b
            }
            akka.cluster {
              roles = [{{roles}}]
              min-nr-of-members = {{c.MinNrOfMembers}}
              failure-detector {
                heartbeat-interval = {{S(c.HeartbeatInterval)}}
                acceptable-heartbeat-pause = {{S(c.AcceptablePause)}}
              }
              downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
              auto-down-unreachable-after = off
              down-removal-margin = {{S(c.DownRemovalMargin)}}
              split-brain-resolver {
                active-strategy = {{strategy}}
                stable-after = {{S(c.StableAfter)}}
                down-all-when-unstable = on
                keep-oldest.down-if-alone = on
            {{LeaseMajority(c)}}
              }
              # A downed node cannot come back as the same member: it stops (and says why), its service manager restarts it.
              run-coordinated-shutdown-when-down = on
              distributed-data {
                gossip-interval = 1s
                notify-subscribers-interval = 200ms
              }
            }
            {{LeaseBlock(c)}}
            """;
    }

    /// <summary>Where the lease of lease-majority is configured for Akka's LeaseProvider (outside actors.*, which the ActorSystem does not read).</summary>
    internal const string LeaseConfigPath = "actors-cluster-sbr-lease";

    /// <summary>
    /// lease-majority's settings: the lease at <see cref="LeaseConfigPath"/>, its name, and the timings from
    /// <c>actors.cluster.lease</c>.
    /// </summary>
    private static string LeaseMajority(ClusterSettings c)
    {
        if (c.Lease is not { } lease) return "";
        static string S(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        return $$"""
                lease-majority {
                  lease-implementation = "{{LeaseConfigPath}}"
                  lease-name = "{{lease.Lease.Name}}"
                  acquire-lease-delay-for-minority = {{S(lease.AcquireDelayForMinority)}}
                  release-after = {{S(lease.ReleaseAfter)}}
                }
            """;
    }

    private static string LeaseBlock(ClusterSettings c) =>
        c.Lease is not { } lease ? "" : $"{LeaseConfigPath} {{\n{ClassLeases.BlockText(lease.Lease, ClassLeases.OperationTimeout(lease.Lease))}}}";
}
