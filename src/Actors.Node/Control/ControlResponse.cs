using System.Globalization;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace Actors.Node.Control;

/// <summary>
/// The response: status and headers go out with the first flush (or at the end), the body with its
/// Content-Length when the endpoint set one, chunked otherwise. Writes are gathered until a flush.
/// </summary>
internal sealed class ControlResponse : Stream, IHttpResponseFeature, IHttpResponseBodyFeature, IHttpRequestLifetimeFeature
{
    private const int MaxGathered = 64 * 1024;

    private readonly ControlSocketIo _io;
    private readonly Action<Exception> _completedFailed;
    private readonly bool _head;
    private readonly string _version;
    private readonly CancellationTokenSource _aborted;
    private readonly MemoryStream _gathered = new();
    private readonly List<(Func<object, Task> Callback, object State)> _onStarting = [];
    private readonly List<(Func<object, Task> Callback, object State)> _onCompleted = [];
    private PipeWriter? _writer;
    private bool _chunked;

    public ControlResponse(ControlSocketIo io, string method, string version, CancellationTokenSource aborted, Action<Exception> completedFailed)
    {
        _io = io;
        _completedFailed = completedFailed;
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
        _io.Abort();
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
            catch (Exception e) { _completedFailed(e); }
        }
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(this, path, offset, count, cancellationToken);

    /// <summary>A peer that went away makes writes no-ops and cancels RequestAborted, as Kestrel does.</summary>
    private async Task SendQuietlyAsync(ReadOnlyMemory<byte> data)
    {
        if (_io.PeerGone) return;
        try
        {
            await _io.SendAsync(data);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            _io.PeerGone = true;
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
