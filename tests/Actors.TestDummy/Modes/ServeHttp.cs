using System.Net;
using System.Net.Sockets;

namespace Actors.TestDummy.Modes;

/// <summary>
/// A minimal HTTP server for HTTP readiness/liveness probes: any request gets <c>200 OK</c> with body
/// <c>ok</c>. Plain <see cref="TcpListener"/> keeps ASP.NET (and its startup cost) out of the dummy.
/// </summary>
internal static class ServeHttp
{
    private static readonly byte[] Response =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray();

    private static readonly byte[] RequestEnd = "\r\n\r\n"u8.ToArray();

    public static int Run(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        while (true)
        {
            var client = listener.AcceptTcpClient();
            // One task per connection so a client that never sends its request does not block the others.
            _ = Task.Run(() => Answer(client));
        }
    }

    private static async Task Answer(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                await ReadRequestHead(stream);
                await stream.WriteAsync(Response);
            }
            catch (IOException)
            {
                // The prober hung up early: nothing to answer.
            }
        }
    }

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
