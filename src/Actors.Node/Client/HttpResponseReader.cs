using System.Runtime.CompilerServices;
using System.Text;

namespace Actors.Node.Client;

/// <summary>Reads one HTTP/1.1 response: the status line and headers, then the body (Content-Length, chunked, or until close).</summary>
internal sealed class HttpResponseReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;
    private long? _contentLength;
    private bool _chunked;

    public async Task<int> ReadHeadAsync(CancellationToken ct)
    {
        var statusLine = await ReadLineAsync(ct) ?? throw Truncated("before the status line");
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !int.TryParse(parts[1], out var status))
            throw new IOException($"the node sent an unreadable status line: {statusLine}");
        while (await ReadLineAsync(ct) is { Length: > 0 } header)
        {
            var colon = header.IndexOf(':');
            if (colon <= 0) continue;
            var name = header[..colon].Trim();
            var value = header[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && long.TryParse(value, out var length))
                _contentLength = length;
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                _chunked = true;
        }
        return status;
    }

    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadBodyAsync([EnumeratorCancellation] CancellationToken ct)
    {
        if (_chunked)
        {
            while (true)
            {
                var sizeLine = await ReadLineAsync(ct) ?? throw Truncated("in a chunk header");
                var semicolon = sizeLine.IndexOf(';');
                var size = Convert.ToInt64(semicolon >= 0 ? sizeLine[..semicolon] : sizeLine, 16);
                if (size == 0) yield break;
                await foreach (var piece in ReadExactlyAsync(size, ct)) yield return piece;
                await ReadLineAsync(ct); // the CRLF after each chunk
            }
        }
        if (_contentLength is { } length)
        {
            await foreach (var piece in ReadExactlyAsync(length, ct)) yield return piece;
            yield break;
        }
        while (await FillAsync(ct)) // no length: the body ends when the node closes the connection
        {
            yield return _buffer.AsMemory(_start, _end - _start);
            _start = _end;
        }
    }

    private async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadExactlyAsync(long count, [EnumeratorCancellation] CancellationToken ct)
    {
        while (count > 0)
        {
            if (_start == _end && !await FillAsync(ct)) throw Truncated("in the body");
            var take = (int)Math.Min(count, _end - _start);
            yield return _buffer.AsMemory(_start, take);
            _start += take;
            count -= take;
        }
    }

    private async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                return line;
            }
            if (!await FillAsync(ct)) return null;
        }
    }

    /// <summary>Reads more bytes, keeping the unread ones; false at the end of the stream.</summary>
    private async Task<bool> FillAsync(CancellationToken ct)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) throw new IOException("the node sent a header line longer than 64 KiB");
        var read = await stream.ReadAsync(_buffer.AsMemory(_end), ct);
        _end += read;
        return read > 0;
    }

    private static IOException Truncated(string where) => new($"the node closed the connection {where}");
}
