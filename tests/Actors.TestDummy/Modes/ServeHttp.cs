using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Actors.TestDummy.Modes;

/// <summary>
/// A minimal HTTP server for HTTP readiness/liveness probes: every request (<c>GET /health</c> or any other) is
/// answered <c>200 ok</c> when healthy and <c>503 not ready</c> when not. Healthy always, or only while a file
/// exists (<c>--ready-file FILE</c>: a test flips readiness by creating and deleting it), or from some time after
/// start on (<c>--ready-after MS</c>: a slow starter). Port 0 picks a free port; a given port may be held by a test
/// (bound with SO_REUSEPORT, not listening) and is taken over. "listening on PORT" is printed
/// once connections are accepted. Plain <see cref="TcpListener"/> keeps ASP.NET (and its startup cost) out of the dummy.
/// </summary>
internal static class ServeHttp
{
    private static readonly byte[] RequestEnd = "\r\n\r\n"u8.ToArray();

    public static int Run(int port, Func<bool> healthy)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        // SO_REUSEPORT: a test holds its port bound (not listening) with it until the dummy listens (FreePorts.Hold).
        listener.Server.SetRawSocketOption(1 /* SOL_SOCKET */, 15 /* SO_REUSEPORT */, BitConverter.GetBytes(1));
        listener.Start();
        Output.WriteLine(Output.Stdout, $"listening on {((IPEndPoint)listener.LocalEndpoint).Port}");
        while (true)
        {
            var client = listener.AcceptTcpClient();
            // One task per connection so a client that never sends its request does not block the others.
            _ = Task.Run(() => Answer(client, healthy));
        }
    }

    /// <summary>Healthy while <paramref name="file"/> exists.</summary>
    public static Func<bool> WhileFileExists(string file) => () => File.Exists(file);

    /// <summary>Unhealthy for <paramref name="delay"/> after start, healthy from then on.</summary>
    public static Func<bool> After(TimeSpan delay)
    {
        var readyAt = DateTime.UtcNow + delay;
        return () => DateTime.UtcNow >= readyAt;
    }

    private static async Task Answer(TcpClient client, Func<bool> healthy)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                await ReadRequestHead(stream);
                await stream.WriteAsync(healthy() ? Response(200, "OK", "ok") : Response(503, "Service Unavailable", "not ready"));
            }
            catch (IOException)
            {
                // The prober hung up early: nothing to answer.
            }
        }
    }

    private static byte[] Response(int status, string reason, string body) => Encoding.ASCII.GetBytes(
        $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}");

    /// <summary>Reads until the blank line that ends the request head (or EOF); the body, if any, is ignored.</summary>
    private static async Task ReadRequestHead(NetworkStream stream)
    {
        var buffer = new byte[4096];
        var matched = 0;
        var end = RequestEnd;
        while (true)
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
                return;
            for (var i = 0; i < read; i++)
            {
                matched = buffer[i] == end[matched] ? matched + 1 : buffer[i] == end[0] ? 1 : 0;
                if (matched == end.Length)
                    return;
            }
        }
    }
}
