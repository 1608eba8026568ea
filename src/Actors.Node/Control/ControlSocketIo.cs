using System.Net.Sockets;

namespace Actors.Node.Control;

/// <summary>
/// The bytes of one accepted control-socket connection: one receive buffer that the request's head, body and the next
/// request are read from in turn, and the sends. After a request's body has been read, a receive stays pending (see
/// <see cref="WatchForHangUp"/>): its end of stream is the client going away, which cancels the request being served.
/// </summary>
internal sealed class ControlSocketIo(Socket socket)
{
    /// <summary>Request line and headers together; Kestrel's default limit is 32 KiB.</summary>
    public const int MaxHead = 32 * 1024;
    private const int BufferSize = MaxHead + 4096;

    private readonly byte[] _buffer = new byte[BufferSize];
    private Task<int>? _pending;

    /// <summary>Received bytes not yet consumed: <c>Buffer[Start..End]</c>.</summary>
    public byte[] Buffer => _buffer;
    public int Start { get; private set; }
    public int End { get; private set; }
    public int Available => End - Start;
    public ReadOnlySpan<byte> Unread => _buffer.AsSpan(Start, End - Start);

    /// <summary>The client closed its end, or a send failed: nothing more is read from or written to it.</summary>
    public bool PeerGone { get; set; }

    /// <summary>The request being served: the pending receive's end of stream cancels it.</summary>
    public CancellationTokenSource? Current { get; set; }

    public void Consume(int count) => Start += count;

    /// <summary>Where the head ends (the "\r\n\r\n" after the headers), or -1 while it is not all here.</summary>
    public int HeadEnd()
    {
        var at = Unread.IndexOf("\r\n\r\n"u8);
        return at < 0 ? -1 : Start + at;
    }

    /// <summary>
    /// Receives more bytes after <see cref="End"/>; 0 at end of stream. A receive started by <see cref="WatchForHangUp"/>
    /// is awaited rather than a second one started.
    /// </summary>
    public async Task<int> ReadMoreAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var receive = _pending ?? StartReceive();
        if (receive is null) throw new IOException("request too large for the connection's buffer");
        _pending = receive;
        var n = await (timeout is { } limit ? receive.WaitAsync(limit, cancellationToken) : receive.WaitAsync(cancellationToken));
        _pending = null;
        if (n > 0) End += n;
        return n;
    }

    private Task<int>? StartReceive()
    {
        if (Start == End) Start = End = 0;
        else if (Start > 0 && End == _buffer.Length)
        {
            System.Buffer.BlockCopy(_buffer, Start, _buffer, 0, End - Start);
            End -= Start;
            Start = 0;
        }
        if (End == _buffer.Length) return null;
        return socket.ReceiveAsync(_buffer.AsMemory(End), SocketFlags.None).AsTask();
    }

    /// <summary>Once the body is read: a receive stays pending, and the end of the stream cancels the request.</summary>
    public void WatchForHangUp()
    {
        if (_pending is not null) return;
        _pending = StartReceive();
        _pending?.ContinueWith(t =>
        {
            if (t.IsFaulted || t.IsCanceled || t.Result == 0)
            {
                PeerGone = true;
                try { Current?.Cancel(); } catch (ObjectDisposedException) { }
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public async Task SendAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None);
            data = data[sent..];
        }
    }

    public void Abort()
    {
        PeerGone = true;
        try { socket.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        socket.Dispose();
    }

    /// <summary>
    /// Sends FIN, then reads and drops what the peer still sends (bounded) before closing: closing a unix socket with
    /// unread bytes (a 413's body, refused by length) resets it, and the peer would lose the answer sent just before.
    /// </summary>
    public async Task CloseAsync()
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            if (_pending is { } pending) await pending.WaitAsync(limit.Token);
            for (long drained = 0; drained < 4 * RequestBody.MaxBytes;)
            {
                var n = await socket.ReceiveAsync(_buffer, SocketFlags.None, limit.Token);
                if (n <= 0) break;
                drained += n;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or TimeoutException)
        {
            // Gone already, or it keeps sending: closed below either way.
        }
        finally
        {
            socket.Dispose();
        }
    }
}
