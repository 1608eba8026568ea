using System.Buffers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Actors.Native;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Actors.Node.Control;

/// <summary>
/// Who may talk to the node over its unix socket: root and the node's own user, nobody else. The socket's
/// 0600 mode says the same, but a mode is only as strong as the folders above it and the way the socket got
/// there; this check is on each accepted connection and asks the kernel who connected (<c>SO_PEERCRED</c>:
/// the credentials the connecting process had at <c>connect()</c>, not something the peer can claim).
/// A refused peer gets a 403 with a JSON error, and the node logs the refusal with the peer's uid and pid.
/// </summary>
internal static class PeerCheck
{
    /// <summary>The node's effective uid: the owner of the socket, allowed besides root.</summary>
    public static readonly uint NodeUid = LibC.geteuid();

    public static bool IsAllowed(uint uid) => uid == 0 || uid == NodeUid;

    /// <summary>(pid, uid) of the process at the other end of a connected unix socket; null if the kernel does not say.</summary>
    public static (int Pid, uint Uid)? PeerOf(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        try
        {
            if (socket.GetRawSocketOption(LibC.SOL_SOCKET, LibC.SO_PEERCRED, ucred) < 12) return null;
        }
        catch (SocketException)
        {
            return null;
        }
        return (BitConverter.ToInt32(ucred[..4]), BitConverter.ToUInt32(ucred[4..8]));
    }

    /// <summary>Kestrel connection middleware: lets allowed peers through to HTTP, answers the others 403.</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(ILogger log) => next => async connection =>
    {
        var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        var peer = socket is null ? null : PeerOf(socket);
        if (peer is { } allowed && IsAllowed(allowed.Uid))
        {
            await next(connection);
            return;
        }
        // Unknown credentials are refused too: being unable to tell who it is, is not permission.
        var who = peer is { } p ? $"uid {p.Uid} (pid {p.Pid})" : "a peer whose credentials the kernel did not give";
        log.LogWarning("control socket: refused a connection from {Peer}; only root and uid {NodeUid} may use it", who, NodeUid);
        await RefuseAsync(connection, $"{who} may not use this node's control socket; only root and uid {NodeUid} (the node's user) may");
    };

    /// <summary>
    /// Reads the request's head first (bounded), so the answer is not lost to a peer still writing its request
    /// into a closed socket, then writes the 403 and lets Kestrel close the connection.
    /// </summary>
    private static async Task RefuseAsync(ConnectionContext connection, string message)
    {
        var input = connection.Transport.Input;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(deadline.Token);
                var headEnded = new SequenceReader<byte>(result.Buffer).TryReadTo(out ReadOnlySequence<byte> _, "\r\n\r\n"u8);
                var done = headEnded || result.IsCompleted || result.Buffer.Length > 64 * 1024;
                if (done)
                {
                    input.AdvanceTo(result.Buffer.End);
                    break;
                }
                input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
        }
        catch (OperationCanceledException)
        {
            // A peer that sends no request in 5 s gets the answer anyway.
        }
        await connection.Transport.Output.WriteAsync(RefusalResponse(message));
    }

    /// <summary>The whole 403 answer to a refused peer: a JSON error line, then the connection closes.</summary>
    public static byte[] RefusalResponse(string message)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(body, JsonResponse.Options))
        {
            json.WriteStartObject();
            json.WriteString("error", message);
            json.WriteEndObject();
        }
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: {body.WrittenCount + 1}\r\nConnection: close\r\n\r\n");
        return [.. head, .. body.WrittenSpan, (byte)'\n'];
    }
}
