using System.Net;
using System.Net.Sockets;

namespace Actors.Integration.Tests;

public static class FreePorts
{
    private const int SOL_SOCKET = 1, SO_REUSEPORT = 15;

    /// <summary>
    /// A loopback port held for the test until disposed, so no other test (or program) can take it between the
    /// moment it is chosen and the moment the test's server binds it: a socket bound to it with SO_REUSEPORT and
    /// not listening. Only a program of the same user that sets SO_REUSEPORT too can bind it meanwhile (the
    /// TestDummy's serve-http does); connections go to listening sockets only, so they reach that server.
    /// </summary>
    public static HeldPort Hold()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.SetRawSocketOption(SOL_SOCKET, SO_REUSEPORT, BitConverter.GetBytes(1));
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return new HeldPort(socket);
    }
}

public sealed class HeldPort(Socket socket) : IDisposable
{
    public int Port { get; } = ((IPEndPoint)socket.LocalEndPoint!).Port;

    public void Dispose() => socket.Dispose();
}
