using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Actors.Node.Control;

/// <summary>
/// A request body on the control socket, by Content-Length or chunked, at most
/// <see cref="ControlSocketServer.MaxRequestBodySize"/>, read from the connection's buffer.
/// </summary>
internal sealed class ControlRequestBody : Stream
{
    private readonly ControlSocketIo _io;
    private readonly bool _chunked;
    private readonly bool _expectContinue;
    private long _left; // of the body (Content-Length) or of the current chunk
    private long _total;
    private bool _continueSent;

    private ControlRequestBody(ControlSocketIo io, long length, bool chunked, bool expectContinue)
    {
        _io = io;
        _left = length;
        _chunked = chunked;
        _expectContinue = expectContinue;
        Done = !chunked && length == 0;
    }

    public bool Done { get; private set; }
    public Action? Finished { get; set; }

    /// <summary>The body the headers announce; null with the status to answer when they are contradictory or unsupported.</summary>
    public static ControlRequestBody? For(ControlSocketIo io, IHeaderDictionary headers, out int error)
    {
        error = 0;
        var expect = HttpHead.HasToken(headers.Expect, "100-continue");
        var encoding = headers.TransferEncoding;
        if (encoding.Count > 0)
        {
            if (headers.ContentLength is not null) { error = 400; return null; }
            if (!(encoding.Count == 1 && encoding[0]!.Trim().Equals("chunked", StringComparison.OrdinalIgnoreCase))) { error = 501; return null; }
            return new ControlRequestBody(io, 0, chunked: true, expect);
        }
        long length = 0;
        if (headers.ContentLength.HasValue) length = headers.ContentLength.Value;
        else if (headers.ContainsKey("Content-Length")) { error = 400; return null; }
        return new ControlRequestBody(io, length, chunked: false, expect);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (Done || destination.IsEmpty) return 0;
        if (!_chunked && _left > ControlSocketServer.MaxRequestBodySize) throw TooLarge();
        if (_expectContinue && !_continueSent)
        {
            _continueSent = true;
            await _io.SendAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray());
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
        if (_io.Available == 0 && await _io.ReadMoreAsync(cancellationToken) == 0)
            throw new BadHttpRequestException("Unexpected end of request content.", 400);
        var n = (int)Math.Min(Math.Min(destination.Length, _left), _io.Available);
        _io.Buffer.AsMemory(_io.Start, n).CopyTo(destination);
        _io.Consume(n);
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

    private static BadHttpRequestException BadChunk() => new("Bad chunked request body.", 400);

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var at = _io.Unread.IndexOf("\r\n"u8);
            if (at >= 0)
            {
                var line = Encoding.Latin1.GetString(_io.Buffer, _io.Start, at);
                _io.Consume(at + 2);
                return line;
            }
            if (_io.Available > 4096 || await _io.ReadMoreAsync(cancellationToken) == 0) throw BadChunk();
        }
    }

    private async Task<long> ReadChunkSizeAsync(CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(cancellationToken);
        var size = line.Split(';')[0].Trim();
        if (!long.TryParse(size, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var length) || length < 0) throw BadChunk();
        if (_total + length > ControlSocketServer.MaxRequestBodySize) throw TooLarge();
        return length;
    }

    private async Task ReadTrailersAsync(CancellationToken cancellationToken)
    {
        while ((await ReadLineAsync(cancellationToken)).Length > 0) { }
    }

    private async Task ExpectAsync(byte[] expected, CancellationToken cancellationToken)
    {
        while (_io.Available < expected.Length)
            if (await _io.ReadMoreAsync(cancellationToken) == 0) throw BadChunk();
        if (!_io.Unread[..expected.Length].SequenceEqual(expected)) throw BadChunk();
        _io.Consume(expected.Length);
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
