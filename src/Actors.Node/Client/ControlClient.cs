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
/// A deliberately small HTTP/1.1 client for the node's unix socket: one request per connection, bodies with
/// Content-Length or chunked, blocking I/O. The CLI is started for every command and sends one request, so it
/// avoids HttpClient's and the async socket engine's start-up cost (tens of milliseconds of JIT and threads)
/// for what is a few hundred bytes each way.
/// </summary>
internal sealed class ControlClient(string socketPath)
{
    public string SocketPath { get; } = socketPath;

    public ApiResponse Send(string method, string target, string? jsonBody = null)
    {
        using var socket = Connect();
        using var stream = new NetworkStream(socket, ownsSocket: false);
        WriteRequest(stream, method, target, jsonBody);
        var reader = new HttpResponseReader(stream);
        var status = reader.ReadHead();
        using var body = new MemoryStream();
        foreach (var chunk in reader.ReadBody()) body.Write(chunk.Span);
        return new ApiResponse(status, body.ToArray());
    }

    /// <summary>
    /// Sends a GET whose answer is streamed newline-delimited JSON, and hands each complete line to
    /// <paramref name="onLine"/> as it arrives, until the node ends the stream or <paramref name="ct"/> is
    /// cancelled (then it returns null at once). An error status is returned with its whole body instead.
    /// </summary>
    public ApiResponse? StreamLines(string target, Action<ReadOnlyMemory<byte>> onLine, CancellationToken ct)
    {
        using var socket = Connect();
        // A blocking read ends when its socket is shut down: that is how Ctrl-C interrupts a follow.
        using var interrupt = ct.Register(() => socket.Shutdown(SocketShutdown.Both));
        using var stream = new NetworkStream(socket, ownsSocket: false);
        WriteRequest(stream, "GET", target, null);
        var reader = new HttpResponseReader(stream);
        try
        {
            var status = reader.ReadHead();
            var pending = new MemoryStream();
            foreach (var chunk in reader.ReadBody())
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
        catch (IOException) when (ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private Socket Connect()
    {
        // No socket file is the common case of "no node": say so without the cost of a failed connect.
        if (!Path.Exists(SocketPath)) throw NotListening();
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            if (e.SocketErrorCode == SocketError.AccessDenied)
                throw new NodeUnreachableException($"permission denied on {SocketPath}; run this as the user the node runs as", permission: true);
            throw NotListening();
        }
    }

    private NodeUnreachableException NotListening() =>
        new($"no node is listening on {SocketPath} (start one with 'actors run')", permission: false);

    private static void WriteRequest(Stream stream, string method, string target, string? jsonBody)
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
        stream.Write([.. Encoding.ASCII.GetBytes(head.ToString()), .. body]);
    }
}
