using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Actors.Node.Control;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;

namespace Actors.Node.Cluster;

/// <summary>
/// This node's contact point for the cluster bootstrap: <c>GET /bootstrap/seed-nodes</c> on hostname:management-port,
/// answering what Akka.Management's own route answers (this node's address and the members a joining node may join
/// through, in Akka.Management's JSON types, written with the same serializer its probe reads them with).
/// <para>
/// Why not Akka.Management's HTTP server: it runs on Ceen.Httpd through Akka.Http.Shim, which is built against Ceen
/// 0.9.9, and the feed serves only 0.9.10, whose <c>HttpServer.ListenAsync</c> changed (MissingMethodException at bind).
/// The node has an HTTP/1.1 server of its own (<see cref="ControlSocketServer"/>, the control socket's, with no timer
/// running while no one asks); it serves this one route on a TCP socket bound to the node's address only.
/// </para>
/// </summary>
internal sealed class BootstrapEndpoint(ActorSystem system) : IHttpApplication<HttpContext>
{
    public const string Route = "/bootstrap/seed-nodes";

    /// <summary>Binds hostname:port and serves; stopped when the ActorSystem terminates.</summary>
    public static async Task StartAsync(ActorSystem system, string hostname, int port, ILoggerFactory logs)
    {
        var address = IPAddress.TryParse(hostname, out var ip) ? ip : (await Dns.GetHostAddressesAsync(hostname))[0];
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(64);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var server = new ControlSocketServer(socket, logs.CreateLogger<ControlSocketServer>(), checkPeer: false);
        await server.StartAsync(new BootstrapEndpoint(system), CancellationToken.None);
        system.RegisterOnTermination(() =>
        {
            server.Dispose();
            socket.Dispose();
        });
    }

    public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

    public void DisposeContext(HttpContext context, Exception? exception)
    {
    }

    public async Task ProcessRequestAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method) || context.Request.Path != Route)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(SeedNodesJson(Akka.Cluster.Cluster.Get(system)));
    }

    /// <summary>
    /// As Akka.Management's route: none while this node is on its way out; else the reachable members that are up,
    /// weakly up or joining.
    /// </summary>
    internal static string SeedNodesJson(Akka.Cluster.Cluster cluster)
    {
        var self = cluster.SelfMember;
        var members = ImmutableList<HttpBootstrapJsonProtocol.ClusterMember>.Empty;
        if (self.Status is not (MemberStatus.Down or MemberStatus.Exiting or MemberStatus.Leaving or MemberStatus.Removed))
        {
            var state = cluster.State;
            members = state.Members
                .Where(m => !state.Unreachable.Contains(m))
                .Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Joining)
                .Select(m => new HttpBootstrapJsonProtocol.ClusterMember(m.UniqueAddress.Address, m.UniqueAddress.Uid, m.Status, m.Roles))
                .ToImmutableList();
        }
        return JsonConvert.SerializeObject(new HttpBootstrapJsonProtocol.SeedNodes(self.UniqueAddress.Address, members));
    }
}
