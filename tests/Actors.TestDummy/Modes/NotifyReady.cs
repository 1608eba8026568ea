using System.Net.Sockets;
using System.Text;

namespace Actors.TestDummy.Modes;

/// <summary>
/// A service that reports readiness in systemd's notify protocol, as sd_notify(3) does: "STATUS=warming up" at
/// once, then "READY=1" and "STATUS=serving" to $NOTIFY_SOCKET (once FILE exists, with --when-file), then runs
/// until stopped. Prints what it sent, and "no NOTIFY_SOCKET" (exit 1) without one.
/// </summary>
internal static class NotifyReady
{
    public static int Run(string? whenFile)
    {
        var path = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path))
        {
            Output.WriteLine(Output.Stdout, "no NOTIFY_SOCKET");
            return 1;
        }
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        var target = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
        Send(socket, target, "STATUS=warming up");
        while (whenFile is not null && !File.Exists(whenFile)) Thread.Sleep(100);
        Send(socket, target, "READY=1\nSTATUS=serving");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    private static void Send(Socket socket, UnixDomainSocketEndPoint target, string message)
    {
        socket.SendTo(Encoding.UTF8.GetBytes(message), target);
        Output.WriteLine(Output.Stdout, "sent " + message.Replace('\n', ' '));
    }
}
