using System.Net;
using System.Net.Sockets;
using Actors.Configuration;

namespace Actors.Node.Cluster;

/// <summary>
/// Before the node starts anything: is the cluster's host:port free (and, with bootstrap, the management endpoint's)?
/// A second node on the same host:port would otherwise fail deep inside Akka.Remote's (or Akka.Management's) start-up;
/// this says why, in one line, and the node starts nothing.
/// </summary>
internal static class ClusterPort
{
    /// <summary>The problem, or null when the ports can be bound (port 0: always).</summary>
    public static string? Check(ClusterSettings cluster, string? sourceFile)
    {
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
        return CheckBind(addresses[0], cluster.Hostname, cluster.Port, "actors.cluster.port", where, "each node on a machine needs its own port")
               ?? (cluster.Bootstrap is { } bootstrap
                   ? CheckBind(addresses[0], cluster.Hostname, bootstrap.ManagementPort, "actors.cluster.bootstrap.management-port", where,
                       "each node on a machine needs its own management port")
                   : null);
    }

    private static string? CheckBind(IPAddress address, string hostname, int port, string key, string where, string advice)
    {
        if (port == 0) return null;
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, port));
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return $"{key}{where}: {hostname}:{port} is already in use, by another node or another program " +
                   $"({advice}; see who with: ss -ltnp 'sport = :{port}'); nothing started";
        }
        catch (SocketException e)
        {
            return $"actors.cluster.hostname{where}: cannot listen on {hostname}:{port} ({e.Message}); use an address of this machine; nothing started";
        }
    }
}
