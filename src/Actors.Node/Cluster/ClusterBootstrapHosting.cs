using System.Globalization;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Management.Dsl;
using Akka.Management.Cluster.Bootstrap;
using Actors.Configuration;

namespace Actors.Node.Cluster;

/// <summary>
/// <c>actors.cluster.bootstrap</c>: Akka.Management's HTTP endpoint (Ceen, on hostname:management-port) and its Cluster
/// Bootstrap with config discovery, in place of seed nodes. Reached only when bootstrap is enabled: the types of
/// Akka.Management, Akka.Http.Shim and Ceen are named here only, so a cluster node without bootstrap never loads them
/// (and opens no HTTP port).
/// </summary>
internal static class ClusterBootstrapHosting
{
    /// <summary>The service name config discovery looks the contact points up under (any name: only this node reads it).</summary>
    private const string ServiceName = "actors";

    /// <summary>
    /// The HOCON for Akka.Management and its bootstrap. The join decider is ours (<see cref="CheckedJoinDecider"/>): it
    /// decides as Akka's lowest-address rule does, but before it lets the node join a cluster it has the cluster compare
    /// this node's declarations, as with seed nodes. Only the bootstrap route is served (not the remote-address and
    /// receptionist routes Akka.Management adds by default): the endpoint tells who is in the cluster, nothing more.
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
              routes {
                remote-address = ""
                cluster-client-receptionist = ""
              }
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
                probe-interval = 1s
                probing-failure-timeout = 3s
              }
              join-decider.class = "{{typeof(CheckedJoinDecider).FullName}}, {{typeof(CheckedJoinDecider).Assembly.GetName().Name}}"
            }
            akka.discovery.config.services.{{ServiceName}}.endpoints = [{{endpoints}}]
            """;
    }

    /// <summary>
    /// Opens the management endpoint, then starts the bootstrap (which needs the endpoint's address). A failure (the port
    /// taken since the check at start) is told to the cluster actor, which stops the node with why.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Start(ActorSystem system, IActorRef node)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await AkkaManagement.Get(system).Start();
                await ClusterBootstrap.Get(system).Start();
            }
            catch (Exception e)
            {
                node.Tell(new ClusterNodeActor.BootstrapFailed(e.GetBaseException().Message));
            }
        });
    }
}
