using System.Net;
using System.Net.Sockets;
using Actors.Configuration;

namespace Actors.Node.Http;

/// <summary>The HTTP listener's address cannot be listened on (in use, not an address of this machine, no permission).</summary>
internal sealed class HttpListenerException(string message) : Exception(message);

/// <summary>
/// Binds and listens on the HTTP listener's TCP address before the node starts anything, so an address in use is
/// a clear start error naming the key (not a failure of the web host after the processes started), and port 0
/// is resolved to the real port before the node says where it listens. Kestrel then serves the socket by its handle.
/// </summary>
internal static class HttpListenerSocket
{
    private const int Backlog = 512; // Kestrel's default

    public static Socket Bind(HttpListenerSettings http)
    {
        var socket = new Socket(http.Listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // A restarted node may bind while its predecessor's connections sit in TIME_WAIT; a listening socket
            // on the port still makes the bind fail (Linux), which is the case to report.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(http.Listen);
            socket.Listen(Backlog);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            var why = e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "the address is already in use (another program or node listens there)",
                SocketError.AddressNotAvailable => "the address is not one of this machine's",
                SocketError.AccessDenied => "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
                _ => e.Message,
            };
            throw new HttpListenerException($"actors.node.http.listen = \"{http.ListenText}\": cannot listen: {why}; choose another address or port, or \"\" to turn the listener off");
        }
    }

    /// <summary>http://127.0.0.1:9180 or http://[::1]:9180 for the bound socket (the real port when 0 was asked).</summary>
    public static string BaseAddress(Socket socket)
    {
        var bound = (IPEndPoint)socket.LocalEndPoint!;
        var host = bound.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{bound.Address}]" : bound.Address.ToString();
        return $"http://{host}:{bound.Port}";
    }
}
