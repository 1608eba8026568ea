using System.Net;
using System.Net.Sockets;
using Actors.Configuration;

namespace Actors.Node.Cluster;

/// <summary>
/// Before the node starts anything: is the cluster's host:port free? A second node on the same host:port would
/// otherwise fail deep inside Akka.Remote's start-up; this says why, in one line, and the node starts nothing.
/// </summary>
internal static class ClusterPort
{
    /// <summary>The problem, or null when the port can be bound (port 0: always).</summary>
    public static string? Check(ClusterSettings cluster, string? sourceFile)
    {
        if (cluster.Port == 0) return null;
        var where = sourceFile is null ? "" : $" in {sourceFile}";
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(cluster.Hostname, out var ip) ? [ip] : Dns.GetHostAddresses(cluster.Hostname);
        }
        catch (SocketException e)
        {
            return $"actors.cluster.hostname{where}: \"{cluster.Hostname}\" does not resolve ({e.Message}); set it to this machine's address, e.g. 10.0.0.5";
        }
        if (addresses.Length == 0)
            return $"actors.cluster.hostname{where}: \"{cluster.Hostname}\" has no address; set it to this machine's address, e.g. 10.0.0.5";
        try
        {
            using var socket = new Socket(addresses[0].AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(addresses[0], cluster.Port));
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return $"actors.cluster.port{where}: {cluster.Hostname}:{cluster.Port} is already in use, by another node or another program " +
                   "(each node on a machine needs its own port; see who with: ss -ltnp 'sport = :" + cluster.Port + "'); nothing started";
        }
        catch (SocketException e)
        {
            return $"actors.cluster.hostname{where}: cannot listen on {cluster.Hostname}:{cluster.Port} ({e.Message}); use an address of this machine; nothing started";
        }
    }
}
