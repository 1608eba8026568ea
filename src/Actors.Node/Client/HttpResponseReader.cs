using System.Text;

namespace Actors.Node.Client;

/// <summary>Reads one HTTP/1.1 response: the status line and headers, then the body (Content-Length, chunked, or until close).</summary>
internal sealed class HttpResponseReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;
    private long? _contentLength;
    private bool _chunked;

    public int ReadHead()
    {
        var statusLine = ReadLine() ?? throw Truncated("before the status line");
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !int.TryParse(parts[1], out var status))
            throw new IOException($"the node sent an unreadable status line: {statusLine}");
        while (ReadLine() is { Length: > 0 } header)
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

    public IEnumerable<ReadOnlyMemory<byte>> ReadBody()
    {
        if (_chunked)
        {
            while (true)
            {
                var sizeLine = ReadLine() ?? throw Truncated("in a chunk header");
                var semicolon = sizeLine.IndexOf(';');
                var size = Convert.ToInt64(semicolon >= 0 ? sizeLine[..semicolon] : sizeLine, 16);
                if (size == 0) yield break;
                foreach (var piece in ReadExactly(size)) yield return piece;
                ReadLine(); // the CRLF after each chunk
            }
        }
        if (_contentLength is { } length)
        {
            foreach (var piece in ReadExactly(length)) yield return piece;
            yield break;
        }
        while (Fill()) // no length: the body ends when the node closes the connection
        {
            yield return _buffer.AsMemory(_start, _end - _start);
            _start = _end;
        }
    }

    private IEnumerable<ReadOnlyMemory<byte>> ReadExactly(long count)
    {
        while (count > 0)
        {
            if (_start == _end && !Fill()) throw Truncated("in the body");
            var take = (int)Math.Min(count, _end - _start);
            yield return _buffer.AsMemory(_start, take);
            _start += take;
            count -= take;
        }
    }

    private string? ReadLine()
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
            if (!Fill()) return null;
        }
    }

    /// <summary>Reads more bytes, keeping the unread ones; false at the end of the stream.</summary>
    private bool Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) throw new IOException("the node sent a header line longer than 64 KiB");
        var read = stream.Read(_buffer.AsSpan(_end));
        _end += read;
        return read > 0;
    }

    private static IOException Truncated(string where) => new($"the node closed the connection {where}");
}
