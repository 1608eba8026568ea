using System.Net.Sockets;

namespace Actors.Probes;

/// <summary>Short, lower-case details for what goes wrong on the network ("connection refused"), without stack traces.</summary>
internal static class NetworkErrors
{
    public static string Describe(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
                return Describe(socket);
        }
        return error.Message;
    }

    public static string Describe(SocketException error) => error.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset => "connection reset",
        SocketError.TimedOut => "connection timed out",
        SocketError.HostNotFound or SocketError.NoData => "host not found",
        SocketError.TryAgain => "host name lookup failed, try again",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.AddressNotAvailable => "address not available",
        _ => error.Message.ToLowerInvariant(),
    };
}
