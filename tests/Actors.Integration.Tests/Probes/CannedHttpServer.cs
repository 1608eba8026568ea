using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Actors.Integration.Tests.Probes;

/// <summary>
/// A loopback server that answers every connection with one fixed HTTP response, or with nothing at all (a hung
/// service) when the response is null. Enough for probe tests; no HTTP parsing beyond waiting for the request.
/// </summary>
internal sealed class CannedHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = new();

    public CannedHttpServer(string? response)
    {
        _listener.Start();
        _ = Serve(response is null ? null : Encoding.ASCII.GetBytes(response));
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Url(string path = "/health") => new($"http://127.0.0.1:{Port}{path}");

    private async Task Serve(byte[]? response)
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_clients) _clients.Add(client);
                if (response is not null)
                    _ = Answer(client, response);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task Answer(TcpClient client, byte[] response)
    {
        using (client)
        {
            var buffer = new byte[4096];
            var head = new StringBuilder();
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await client.GetStream().ReadAsync(buffer);
                if (read == 0) return;
                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            await client.GetStream().WriteAsync(response);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_clients)
            foreach (var client in _clients)
                client.Dispose();
        _stop.Dispose();
    }
}
