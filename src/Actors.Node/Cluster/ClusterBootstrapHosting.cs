using System.Globalization;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Management.Dsl;
using Akka.Management.Cluster.Bootstrap;
using Actors.Configuration;
using Microsoft.Extensions.Logging;

namespace Actors.Node.Cluster;

/// <summary>
/// <c>actors.cluster.bootstrap</c>: Akka.Management's Cluster Bootstrap with config discovery, in place of seed nodes,
/// and this node's contact point (<see cref="BootstrapEndpoint"/>, on hostname:management-port). Reached only when
/// bootstrap is enabled: the types of Akka.Management are named from here only, so a cluster node without bootstrap
/// never loads them (and opens no HTTP port).
/// </summary>
internal static class ClusterBootstrapHosting
{
    /// <summary>The service name config discovery looks the contact points up under (any name: only this node reads it).</summary>
    private const string ServiceName = "actors";

    /// <summary>
    /// The HOCON for Akka.Management and its bootstrap. The join decider is ours (<see cref="CheckedJoinDecider"/>): it
    /// decides as Akka's lowest-address rule does, but before it lets the node join a cluster it has the cluster compare
    /// this node's declarations, as with seed nodes. akka.management.http names this node's contact point (served by
    /// BootstrapEndpoint, not by Akka.Management's server).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string Hocon(ClusterSettings c, Configuration.ClusterBootstrapSettings b)
    {
        static string S(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        var endpoints = string.Join(", ", b.ContactPoints.Select(p => $"\"{p.Host}:{p.Port}\""));
        return $$"""
            akka.management.http {
              hostname = "{{c.Hostname}}"
              port = {{b.ManagementPort}}
            }
            akka.management.cluster.bootstrap {
              new-cluster-enabled = on
              contact-point-discovery {
                service-name = "{{ServiceName}}"
                discovery-method = config
                required-contact-point-nr = {{b.RequiredContactPoints}}
                contact-with-all-contact-points = {{(b.AllRequired ? "true" : "false")}}
                stable-margin = {{S(b.StableMargin)}}
                interval = 1s
              }
              contact-point {
                fallback-port = {{b.ManagementPort}}
                # Every contact point is a management endpoint, whatever its port (nodes on one machine have each their own).
                filter-on-fallback-port = false
                probe-interval = 1s
                probing-failure-timeout = 3s
              }
              join-decider.class = "{{typeof(CheckedJoinDecider).FullName}}, {{typeof(CheckedJoinDecider).Assembly.GetName().Name}}"
            }
            akka.discovery.config.services.{{ServiceName}}.endpoints = [{{endpoints}}]
            """;
    }

    /// <summary>
    /// Opens this node's contact point (<see cref="BootstrapEndpoint"/>), tells the bootstrap its address, then starts the
    /// bootstrap. A failure (the port taken since the check at start) is told to the cluster actor, which stops the node
    /// with why.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Start(ActorSystem system, IActorRef node, ClusterSettings cluster, ILoggerFactory logs)
    {
        var port = cluster.Bootstrap!.ManagementPort;
        _ = Task.Run(async () =>
        {
            try
            {
                await BootstrapEndpoint.StartAsync(system, cluster.Hostname, port, logs);
                var bootstrap = ClusterBootstrap.Get(system);
                // What Akka.Management's own server would do when it binds: the bootstrap learns its contact point's address.
                bootstrap.Routes(ManagementRouteProviderSettings.Create(new Uri($"http://{cluster.Hostname}:{port}/"), readOnly: true));
                await bootstrap.Start();
            }
            catch (Exception e)
            {
                node.Tell(new ClusterNodeActor.BootstrapFailed(e.GetBaseException().Message));
            }
        });
    }
}
