using System.Globalization;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Actors.Node.Control;

/// <summary>
/// HTTP/1.1 on one accepted control-socket connection (<see cref="ControlSocketServer"/>): the peer is checked
/// first (<see cref="PeerCheck"/>), then requests are read one after another and run through the host's pipeline.
/// After a request's body has been read, a receive stays pending: its end-of-stream is the client going away (Ctrl-C
/// on <c>logs --follow</c>), which cancels <c>RequestAborted</c>; bytes it brings are the next request's.
/// </summary>
internal sealed class ControlConnection<TContext>(Socket socket, IHttpApplication<TContext> application, ILogger log, CancellationToken stopping)
    : IControlConnection where TContext : notnull
{
    /// <summary>Request line and headers together; Kestrel's default limit is 32 KiB.</summary>
    private const int MaxHead = 32 * 1024;
    private const int BufferSize = MaxHead + 4096;
    /// <summary>Kestrel's defaults: an idle kept-alive connection, and a request whose head does not arrive, are closed.</summary>
    private static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(130);
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(30);

    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _start;
    private int _end;
    private Task<int>? _pending;
    private bool _peerGone;
    // The request being served: the pending receive's end of stream cancels its RequestAborted.
    private CancellationTokenSource? _current;

    public Task Completion => _completion.Task;

    public void Abort()
    {
        _peerGone = true;
        try { socket.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        socket.Dispose();
    }

    public async Task RunAsync()
    {
        try
        {
            if (!await PeerAllowedAsync()) return;
            while (await ServeOneAsync()) { }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException or TimeoutException)
        {
            // The peer went away, or the node is stopping: nothing more to answer on this connection.
        }
        catch (Exception e)
        {
            log.LogError(e, "control socket: connection failed");
        }
        finally
        {
            await CloseAsync();
            _completion.TrySetResult();
        }
    }

    /// <summary>
    /// Sends FIN, then reads and drops what the peer still sends (bounded) before closing: closing a unix socket with
    /// unread bytes (a 413's body, refused by length) resets it, and the peer would lose the answer sent just before.
    /// </summary>
    private async Task CloseAsync()
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

    private async Task<bool> PeerAllowedAsync()
    {
        var peer = PeerCheck.PeerOf(socket);
        if (peer is { } allowed && PeerCheck.IsAllowed(allowed.Uid)) return true;
        // Unknown credentials are refused too: being unable to tell who it is, is not permission.
        var who = peer is { } p ? $"uid {p.Uid} (pid {p.Pid})" : "a peer whose credentials the kernel did not give";
        log.LogWarning("control socket: refused a connection from {Peer}; only root and uid {NodeUid} may use it", who, PeerCheck.NodeUid);
        // The request's head is read first (bounded), so the answer is not lost to a peer still writing it.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            while (HeadEnd() < 0 && _end - _start < MaxHead && await ReadMoreAsync(deadline.Token) > 0) { }
        }
        catch (OperationCanceledException)
        {
            // A peer that sends no request in 5 s gets the answer anyway.
        }
        await SendAsync(PeerCheck.RefusalResponse($"{who} may not use this node's control socket; only root and uid {PeerCheck.NodeUid} (the node's user) may"));
        return false;
    }

    /// <summary>Reads and answers one request; false when the connection is to be closed.</summary>
    private async Task<bool> ServeOneAsync()
    {
        int headEnd;
        while ((headEnd = HeadEnd()) < 0)
        {
            if (_end - _start >= MaxHead)
            {
                await SendAsync(SimpleResponse(431));
                return false;
            }
            // Between requests a stopping node closes the connection; within a head it waits for the rest.
            var idle = _end == _start;
            if (await ReadMoreAsync(idle ? stopping : CancellationToken.None, idle ? KeepAliveTimeout : HeadTimeout) == 0) return false;
        }
        var head = Encoding.Latin1.GetString(_buffer, _start, headEnd - _start);
        _start = headEnd + 4;
        var request = new HttpRequestFeature();
        if (!TryParseHead(head, request, out var version))
        {
            await SendAsync(SimpleResponse(400));
            return false;
        }
        var body = RequestBodyStream.For(this, request.Headers, out var bodyError);
        if (body is null)
        {
            await SendAsync(SimpleResponse(bodyError));
            return false;
        }
        request.Body = body;
        var keepAlive = version == "HTTP/1.1"
            ? !HasToken(request.Headers.Connection, "close")
            : HasToken(request.Headers.Connection, "keep-alive");
        using var aborted = new CancellationTokenSource();
        _current = aborted;
        if (_peerGone) aborted.Cancel();
        var response = new Response(this, request.Method, version, aborted);
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(request);
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(response);
        features.Set<IHttpRequestLifetimeFeature>(response);
        if (body.Done) WatchForHangUp();
        else body.Finished = WatchForHangUp;

        var context = application.CreateContext(features);
        Exception? failure = null;
        try
        {
            await application.ProcessRequestAsync(context);
        }
        catch (Exception e)
        {
            failure = e;
            if (!response.HasStarted)
            {
                log.LogError(e, "control socket: {Method} {Path} failed", request.Method, request.Path);
                response.Reset(500);
            }
        }
        if (failure is not null && response.HasStarted)
        {
            // Part of the answer is out: the client can only tell from the connection closing.
            application.DisposeContext(context, failure);
            return false;
        }
        // The client may have asked to close, may not have sent all of its body, or may have asked for Connection: close.
        keepAlive &= body.Done && !_peerGone && !stopping.IsCancellationRequested && !HasToken(response.Headers.Connection, "close");
        if (!keepAlive) response.Headers.Connection = "close";
        await response.CompleteAsync();
        await response.RunCompletedAsync();
        application.DisposeContext(context, failure);
        return keepAlive && !_peerGone;
    }

    private int HeadEnd()
    {
        var at = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
        return at < 0 ? -1 : _start + at;
    }

    /// <summary>Request line and headers; false for anything malformed (a 400).</summary>
    private static bool TryParseHead(string head, HttpRequestFeature request, out string version)
    {
        version = "";
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[2] is not ("HTTP/1.1" or "HTTP/1.0")) return false;
        foreach (var c in parts[0])
            if (!char.IsAsciiLetterUpper(c)) return false;
        var target = parts[1];
        if (target.Length == 0) return false;
        if (target[0] != '/')
        {
            // The absolute form (a proxy-style request line): only its path and query count.
            if (!Uri.TryCreate(target, UriKind.Absolute, out var uri)) return false;
            target = uri.PathAndQuery;
        }
        var query = target.IndexOf('?');
        try
        {
            request.Path = PathString.FromUriComponent(query < 0 ? target : target[..query]);
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException)
        {
            return false;
        }
        request.QueryString = query < 0 ? "" : target[query..];
        request.RawTarget = parts[1];
        request.Method = parts[0];
        request.Protocol = parts[2];
        request.Scheme = "http";
        request.PathBase = "";
        version = parts[2];
        var headers = new HeaderDictionary();
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':');
            // No name, whitespace before the colon, or an obsolete folded line: malformed, as RFC 9112 asks.
            if (colon <= 0 || lines[i][colon - 1] is ' ' or '\t' || lines[i][0] is ' ' or '\t') return false;
            var name = lines[i][..colon];
            var value = lines[i][(colon + 1)..].Trim(' ', '\t');
            headers[name] = StringValues.Concat(headers[name], value);
        }
        request.Headers = headers;
        return true;
    }

    private static bool HasToken(StringValues values, string token)
    {
        foreach (var value in values)
            foreach (var part in (value ?? "").Split(','))
                if (part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static byte[] SimpleResponse(int status) => Encoding.ASCII.GetBytes(
        $"HTTP/1.1 {status} {ReasonPhrases.GetReasonPhrase(status)}\r\nContent-Length: 0\r\nConnection: close\r\nDate: {DateTime.UtcNow:r}\r\n\r\n");

    /// <summary>
    /// Receives more bytes after <c>_end</c>; 0 at end of stream. A receive started by <see cref="WatchForHangUp"/> is
    /// awaited rather than a second one started.
    /// </summary>
    private async Task<int> ReadMoreAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var receive = _pending ?? StartReceive();
        if (receive is null) throw new IOException("request too large for the connection's buffer");
        _pending = receive;
        var n = await (timeout is { } limit ? receive.WaitAsync(limit, cancellationToken) : receive.WaitAsync(cancellationToken));
        _pending = null;
        if (n > 0) _end += n;
        return n;
    }

    private Task<int>? StartReceive()
    {
        if (_start == _end) _start = _end = 0;
        else if (_start > 0 && _end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) return null;
        return socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None).AsTask();
    }

    /// <summary>Once the body is read: a receive stays pending, and the end of the stream cancels the request.</summary>
    private void WatchForHangUp()
    {
        if (_pending is not null) return;
        _pending = StartReceive();
        _pending?.ContinueWith(t =>
        {
            if (t.IsFaulted || t.IsCanceled || t.Result == 0)
            {
                _peerGone = true;
                try { _current?.Cancel(); } catch (ObjectDisposedException) { }
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task SendAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None);
            data = data[sent..];
        }
    }

    /// <summary>A request body: by Content-Length or chunked, at most <see cref="ControlSocketServer.MaxRequestBodySize"/>.</summary>
    private sealed class RequestBodyStream : Stream
    {
        private readonly ControlConnection<TContext> _connection;
        private readonly bool _chunked;
        private readonly bool _expectContinue;
        private long _left; // of the body (Content-Length) or of the current chunk
        private long _total;
        private bool _continueSent;

        private RequestBodyStream(ControlConnection<TContext> connection, long length, bool chunked, bool expectContinue)
        {
            _connection = connection;
            _left = length;
            _chunked = chunked;
            _expectContinue = expectContinue;
            Done = !chunked && length == 0;
        }

        public bool Done { get; private set; }
        public Action? Finished { get; set; }

        /// <summary>The body the headers announce; null with the status to answer when they are contradictory or unsupported.</summary>
        public static RequestBodyStream? For(ControlConnection<TContext> connection, IHeaderDictionary headers, out int error)
        {
            error = 0;
            var expect = HasToken(headers.Expect, "100-continue");
            var encoding = headers.TransferEncoding;
            if (encoding.Count > 0)
            {
                if (headers.ContentLength is not null) { error = 400; return null; }
                if (!(encoding.Count == 1 && encoding[0]!.Trim().Equals("chunked", StringComparison.OrdinalIgnoreCase))) { error = 501; return null; }
                return new RequestBodyStream(connection, 0, chunked: true, expect);
            }
            long length = 0;
            if (headers.ContentLength.HasValue) length = headers.ContentLength.Value;
            else if (headers.ContainsKey("Content-Length")) { error = 400; return null; }
            return new RequestBodyStream(connection, length, chunked: false, expect);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            if (Done || destination.IsEmpty) return 0;
            if (!_chunked && _left > ControlSocketServer.MaxRequestBodySize) throw TooLarge();
            if (_expectContinue && !_continueSent)
            {
                _continueSent = true;
                await _connection.SendAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray());
            }
            if (_chunked && _left == 0)
            {
                _left = await ReadChunkSizeAsync(cancellationToken);
                if (_left == 0)
                {
                    await ReadTrailersAsync(cancellationToken);
                    Finish();
                    return 0;
                }
            }
            if (_connection._start == _connection._end && await _connection.ReadMoreAsync(cancellationToken) == 0)
                throw new BadHttpRequestException("Unexpected end of request content.", 400);
            var n = (int)Math.Min(Math.Min(destination.Length, _left), _connection._end - _connection._start);
            _connection._buffer.AsMemory(_connection._start, n).CopyTo(destination);
            _connection._start += n;
            _left -= n;
            _total += n;
            if (_total > ControlSocketServer.MaxRequestBodySize) throw TooLarge();
            if (_left == 0)
            {
                if (_chunked) await ExpectAsync("\r\n"u8.ToArray(), cancellationToken);
                else Finish();
            }
            return n;
        }

        private void Finish()
        {
            Done = true;
            Finished?.Invoke();
        }

        private static BadHttpRequestException TooLarge() => new("Request body too large.", StatusCodes.Status413PayloadTooLarge);

        private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var at = _connection._buffer.AsSpan(_connection._start, _connection._end - _connection._start).IndexOf("\r\n"u8);
                if (at >= 0)
                {
                    var line = Encoding.Latin1.GetString(_connection._buffer, _connection._start, at);
                    _connection._start += at + 2;
                    return line;
                }
                if (_connection._end - _connection._start > 4096 || await _connection.ReadMoreAsync(cancellationToken) == 0)
                    throw new BadHttpRequestException("Bad chunked request body.", 400);
            }
        }

        private async Task<long> ReadChunkSizeAsync(CancellationToken cancellationToken)
        {
            var line = await ReadLineAsync(cancellationToken);
            var size = line.Split(';')[0].Trim();
            if (!long.TryParse(size, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var length) || length < 0)
                throw new BadHttpRequestException("Bad chunked request body.", 400);
            if (_total + length > ControlSocketServer.MaxRequestBodySize) throw TooLarge();
            return length;
        }

        private async Task ReadTrailersAsync(CancellationToken cancellationToken)
        {
            while ((await ReadLineAsync(cancellationToken)).Length > 0) { }
        }

        private async Task ExpectAsync(byte[] expected, CancellationToken cancellationToken)
        {
            while (_connection._end - _connection._start < expected.Length)
                if (await _connection.ReadMoreAsync(cancellationToken) == 0) throw new BadHttpRequestException("Bad chunked request body.", 400);
            if (!_connection._buffer.AsSpan(_connection._start, expected.Length).SequenceEqual(expected))
                throw new BadHttpRequestException("Bad chunked request body.", 400);
            _connection._start += expected.Length;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>
    /// The response: status and headers go out with the first flush (or at the end), the body with its
    /// Content-Length when the endpoint set one, chunked otherwise. Writes are gathered until a flush.
    /// </summary>
    private sealed class Response : Stream, IHttpResponseFeature, IHttpResponseBodyFeature, IHttpRequestLifetimeFeature
    {
        private const int MaxGathered = 64 * 1024;

        private readonly ControlConnection<TContext> _connection;
        private readonly bool _head;
        private readonly string _version;
        private readonly CancellationTokenSource _aborted;
        private readonly MemoryStream _gathered = new();
        private readonly List<(Func<object, Task> Callback, object State)> _onStarting = [];
        private readonly List<(Func<object, Task> Callback, object State)> _onCompleted = [];
        private PipeWriter? _writer;
        private bool _chunked;

        public Response(ControlConnection<TContext> connection, string method, string version, CancellationTokenSource aborted)
        {
            _connection = connection;
            _head = method == "HEAD";
            _version = version;
            _aborted = aborted;
            RequestAborted = aborted.Token;
        }

        public int StatusCode { get; set; } = 200;
        public string? ReasonPhrase { get; set; }
        public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();
        [Obsolete("Use IHttpResponseBodyFeature.Stream instead.")]
        public Stream Body { get => this; set => throw new NotSupportedException(); }
        public bool HasStarted { get; private set; }
        public Stream Stream => this;
        public PipeWriter Writer => _writer ??= PipeWriter.Create(this, new StreamPipeWriterOptions(leaveOpen: true));
        public CancellationToken RequestAborted { get; set; }

        public void Abort()
        {
            _aborted.Cancel();
            _connection.Abort();
        }

        public void OnStarting(Func<object, Task> callback, object state) => _onStarting.Add((callback, state));
        public void OnCompleted(Func<object, Task> callback, object state) => _onCompleted.Add((callback, state));
        public void DisableBuffering() { }

        /// <summary>A failure before anything was sent: answer with <paramref name="status"/> and no body instead.</summary>
        public void Reset(int status)
        {
            StatusCode = status;
            Headers = new HeaderDictionary();
            _gathered.SetLength(0);
        }

        public async Task StartAsync(CancellationToken cancellationToken = default)
        {
            if (HasStarted) return;
            for (var i = _onStarting.Count - 1; i >= 0; i--) await _onStarting[i].Callback(_onStarting[i].State);
            HasStarted = true;
            var bodyless = StatusCode is 204 or 304 || StatusCode < 200;
            _chunked = !bodyless && Headers.ContentLength is null && _version == "HTTP/1.1";
            if (!_chunked && !bodyless && Headers.ContentLength is null) Headers.Connection = "close"; // HTTP/1.0: the end is the close
            var head = new StringBuilder(256);
            head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {StatusCode} {ReasonPhrase ?? ReasonPhrases.GetReasonPhrase(StatusCode)}\r\n");
            head.Append(CultureInfo.InvariantCulture, $"Date: {DateTime.UtcNow:r}\r\n");
            foreach (var (name, values) in Headers)
                foreach (var value in values)
                    head.Append(name).Append(": ").Append(value).Append("\r\n");
            if (_chunked) head.Append("Transfer-Encoding: chunked\r\n");
            head.Append("\r\n");
            await SendQuietlyAsync(Encoding.Latin1.GetBytes(head.ToString()));
        }

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_head) return;
            _gathered.Write(buffer.Span);
            if (_gathered.Length >= MaxGathered) await FlushAsync(cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => FlushAsync().GetAwaiter().GetResult();

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            // Headers set after a write but before the first flush still count, as with Kestrel's buffered start.
            if (!HasStarted) await StartAsync(cancellationToken);
            if (_gathered.Length == 0) return;
            var data = _gathered.GetBuffer().AsMemory(0, (int)_gathered.Length);
            if (_chunked)
            {
                var prefix = Encoding.ASCII.GetBytes($"{data.Length:x}\r\n");
                var framed = new byte[prefix.Length + data.Length + 2];
                prefix.CopyTo(framed, 0);
                data.CopyTo(framed.AsMemory(prefix.Length));
                framed[^2] = (byte)'\r';
                framed[^1] = (byte)'\n';
                await SendQuietlyAsync(framed);
            }
            else
            {
                await SendQuietlyAsync(data.ToArray());
            }
            _gathered.SetLength(0);
        }

        public async Task CompleteAsync()
        {
            if (_writer is not null) await _writer.FlushAsync();
            // All of a body not flushed yet is here: it goes out with its length.
            if (!HasStarted && Headers.ContentLength is null && StatusCode is not (204 or 304)) Headers.ContentLength = _gathered.Length;
            await FlushAsync(CancellationToken.None);
            if (_chunked) await SendQuietlyAsync("0\r\n\r\n"u8.ToArray());
        }

        public async Task RunCompletedAsync()
        {
            for (var i = _onCompleted.Count - 1; i >= 0; i--)
            {
                try { await _onCompleted[i].Callback(_onCompleted[i].State); }
                catch (Exception e) { _connection.LogCompletedFailure(e); }
            }
        }

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
            SendFileFallback.SendFileAsync(this, path, offset, count, cancellationToken);

        /// <summary>A peer that went away makes writes no-ops and cancels RequestAborted, as Kestrel does.</summary>
        private async Task SendQuietlyAsync(ReadOnlyMemory<byte> data)
        {
            if (_connection._peerGone) return;
            try
            {
                await _connection.SendAsync(data);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                _connection._peerGone = true;
                try { _aborted.Cancel(); } catch (ObjectDisposedException) { }
            }
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private void LogCompletedFailure(Exception e) => log.LogError(e, "control socket: an on-completed callback failed");
}
