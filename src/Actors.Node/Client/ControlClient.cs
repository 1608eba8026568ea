using System.Net.Sockets;
using System.Text;

namespace Actors.Node.Client;

/// <summary>The node cannot be reached; the message says where the CLI looked and what to do.</summary>
internal sealed class NodeUnreachableException(string message, bool permission) : Exception(message)
{
    /// <summary>True when a node is there but this user may not talk to it.</summary>
    public bool Permission { get; } = permission;
}

/// <summary>One answer of the control API: the HTTP status and the whole body.</summary>
internal sealed record ApiResponse(int Status, byte[] Body);

/// <summary>
/// A deliberately small HTTP/1.1 client for the node's unix socket: one request per connection, bodies
/// with Content-Length or chunked. The CLI is started for every command, so it avoids HttpClient's start-up
/// cost (tens of milliseconds of JIT) for what is a few hundred bytes each way.
/// </summary>
internal sealed class ControlClient(string socketPath)
{
    public string SocketPath { get; } = socketPath;

    public async Task<ApiResponse> SendAsync(string method, string target, string? jsonBody = null, CancellationToken ct = default)
    {
        using var socket = await ConnectAsync(ct);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await WriteRequestAsync(stream, method, target, jsonBody, ct);
        var reader = new HttpResponseReader(stream);
        var status = await reader.ReadHeadAsync(ct);
        using var body = new MemoryStream();
        await foreach (var chunk in reader.ReadBodyAsync(ct)) body.Write(chunk.Span);
        return new ApiResponse(status, body.ToArray());
    }

    /// <summary>
    /// Sends a GET whose answer is streamed newline-delimited JSON, and hands each complete line to
    /// <paramref name="onLine"/> as it arrives. An error status is returned with its whole body instead.
    /// </summary>
    public async Task<ApiResponse?> StreamLinesAsync(string target, Action<ReadOnlyMemory<byte>> onLine, CancellationToken ct)
    {
        using var socket = await ConnectAsync(ct);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await WriteRequestAsync(stream, "GET", target, null, ct);
        var reader = new HttpResponseReader(stream);
        var status = await reader.ReadHeadAsync(ct);
        var pending = new MemoryStream();
        await foreach (var chunk in reader.ReadBodyAsync(ct))
        {
            if (status != 200)
            {
                pending.Write(chunk.Span);
                continue;
            }
            var span = chunk;
            while (span.Span.IndexOf((byte)'\n') is var newline and >= 0)
            {
                if (pending.Length > 0)
                {
                    pending.Write(span.Span[..newline]);
                    onLine(pending.ToArray());
                    pending.SetLength(0);
                }
                else
                {
                    onLine(span[..newline]);
                }
                span = span[(newline + 1)..];
            }
            pending.Write(span.Span);
        }
        return status == 200 ? null : new ApiResponse(status, pending.ToArray());
    }

    private async Task<Socket> ConnectAsync(CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), ct);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            if (e.SocketErrorCode == SocketError.AccessDenied)
                throw new NodeUnreachableException($"permission denied on {SocketPath}; run this as the user the node runs as", permission: true);
            throw new NodeUnreachableException($"no node is listening on {SocketPath} (start one with 'actors run')", permission: false);
        }
    }

    private static async Task WriteRequestAsync(Stream stream, string method, string target, string? jsonBody, CancellationToken ct)
    {
        var body = jsonBody is null ? [] : Encoding.UTF8.GetBytes(jsonBody);
        var head = new StringBuilder()
            .Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n")
            .Append("Host: actors\r\nConnection: close\r\n");
        if (jsonBody is not null)
            head.Append("Content-Type: application/json\r\nContent-Length: ").Append(body.Length).Append("\r\n");
        else if (method != "GET")
            head.Append("Content-Length: 0\r\n");
        head.Append("\r\n");
        var bytes = Encoding.ASCII.GetBytes(head.ToString());
        await stream.WriteAsync(bytes.Concat(body).ToArray(), ct);
    }
}
