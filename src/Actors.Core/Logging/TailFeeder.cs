using System.Buffers;
using System.Text;

namespace Actors.Logging;

/// <summary>
/// Cuts a process's raw output into lines for the <see cref="LogTail"/>: holds the unfinished line across chunks,
/// decodes UTF-8 (invalid bytes become U+FFFD) and truncates very long lines, in the tail only, never the file.
/// </summary>
internal sealed class TailFeeder(LogTail tail)
{
    /// <summary>A line longer than this many bytes is truncated in the tail, with a marker saying so.</summary>
    internal const int MaxLineBytes = 8 * 1024;

    private byte[]? _pending;
    private int _pendingLength;
    private long _lineBytes;
    private long _skip;
    // ready-log-line: armed for one run until its first matching line (then disarmed: only that match costs anything).
    private System.Text.RegularExpressions.Regex? _watch;
    private Action<string>? _onMatch;

    /// <summary>Calls <paramref name="onMatch"/> (once) with the first line from now on that <paramref name="pattern"/> matches; null disarms.</summary>
    public void Watch(System.Text.RegularExpressions.Regex? pattern, Action<string>? onMatch)
    {
        _watch = onMatch is null ? null : pattern;
        _onMatch = pattern is null ? null : onMatch;
    }

    /// <summary>Hands <paramref name="line"/> to the armed watch as a match (a simulation's ready line).</summary>
    public void Report(string line)
    {
        if (_watch is not null) Matched(line);
    }

    /// <summary>While set, lines are not matched against the watch (a hook's output, not the process's own).</summary>
    public bool Paused { get; set; }

    /// <summary>Drops an unfinished line held from before (the log was emptied).</summary>
    public void Reset() => ReleasePending();

    /// <summary>
    /// Called once per chunk before its segments: lines beyond the tail's capacity would be overwritten within
    /// this very chunk, so they are only counted, not decoded.
    /// </summary>
    public void BeginChunk(ReadOnlySpan<byte> chunk)
    {
        // While a line is watched for, every line is decoded and matched, even those the tail cannot keep.
        _skip = _watch is not null ? 0 : Math.Max(0, chunk.Count((byte)'\n') - tail.Capacity);
    }

    public void Feed(ReadOnlySpan<byte> segment, DateTimeOffset at)
    {
        lock (tail.Gate)
            FeedHeld(segment, at);
    }

    private void FeedHeld(ReadOnlySpan<byte> segment, DateTimeOffset at)
    {
        while (true)
        {
            var newline = segment.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Hold(segment);
                return;
            }
            if (_skip > 0)
            {
                _skip--;
                ReleasePending();
                tail.SkipHeld();
            }
            else
            {
                var line = Complete(segment[..newline]);
                tail.AddHeld(at, line);
                if (_watch is { } watch && !Paused && watch.IsMatch(line)) Matched(line);
            }
            segment = segment[(newline + 1)..];
        }
    }

    private void Matched(string line)
    {
        var onMatch = _onMatch!;
        _watch = null;
        _onMatch = null;
        onMatch(line);
    }

    private string Complete(ReadOnlySpan<byte> end)
    {
        if (_lineBytes == 0)
            return Decode(end, end.Length);
        Hold(end);
        var text = Decode(_pending.AsSpan(0, _pendingLength), _lineBytes);
        ReleasePending();
        return text;
    }

    /// <summary>Keeps the start of an unfinished line (up to the tail limit) and counts all of its bytes.</summary>
    private void Hold(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
            return;
        _lineBytes += bytes.Length;
        var room = MaxLineBytes - _pendingLength;
        if (room <= 0)
            return;
        // Rented only while a line is split across chunks, so idle processes hold no buffer.
        _pending ??= ArrayPool<byte>.Shared.Rent(MaxLineBytes);
        var kept = bytes[..Math.Min(room, bytes.Length)];
        kept.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += kept.Length;
    }

    private void ReleasePending()
    {
        if (_pending is not null)
            ArrayPool<byte>.Shared.Return(_pending);
        _pending = null;
        _pendingLength = 0;
        _lineBytes = 0;
    }

    private static string Decode(ReadOnlySpan<byte> line, long totalBytes)
    {
        if (totalBytes <= MaxLineBytes)
        {
            // CRLF output shows as plain lines; the file keeps the bytes as written.
            if (!line.IsEmpty && line[^1] == (byte)'\r')
                line = line[..^1];
            return Encoding.UTF8.GetString(line);
        }
        var kept = line[..Math.Min(line.Length, MaxLineBytes)];
        // Back off to a character boundary so the cut does not add a replacement character.
        var lead = kept.Length - 1;
        while (lead > 0 && (kept[lead] & 0xC0) == 0x80 && kept.Length - lead < 4)
            lead--;
        var length = kept[lead] switch { >= 0xF0 => 4, >= 0xE0 => 3, >= 0xC0 => 2, _ => 1 };
        var end = lead + length <= kept.Length ? kept.Length : lead;
        return Encoding.UTF8.GetString(kept[..end]) + $" … [truncated in tail: line is {totalBytes} bytes]";
    }
}
