using System.Buffers;

namespace Actors.Logging;

/// <summary>
/// Cuts a process's raw output into lines for the <see cref="LogTail"/>: holds the unfinished line across chunks
/// (so a UTF-8 sequence split between two reads is whole again in the tail) and hands each line's bytes on. Nothing
/// is decoded here unless a ready-log-line is watched for: the tail decodes when it is read.
/// </summary>
internal sealed class TailFeeder(LogTail tail)
{
    private byte[]? _pending;
    private int _pendingLength;
    private long _lineBytes;
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
    /// Runs once each span search the feed and the log writer use, so that they are compiled before output arrives. They
    /// are instances of CoreLib's generic searches over <c>byte</c> that no ReadyToRun image holds, and the node runs
    /// without tiered compilation: the first output of a node waited about 3 ms for the JIT to compile them (the 64 KiB
    /// log row, bench/README.md, issue 14). The output pump calls this on its own thread before it first waits.
    /// </summary>
    internal static void CompileSearches()
    {
        ReadOnlySpan<byte> sample = "compile\n"u8;
        _ = sample.IndexOf((byte)'\n');
        _ = sample.LastIndexOf((byte)'\n');
        _ = sample.Count((byte)'\n');
        // Ours, and for the same reason: ReadyToRun leaves code that asks for 256-bit vectors to the JIT.
        _ = Newlines.NthFromEnd(sample, 1);
    }

    /// <summary>A chunk of output as read (it may end mid-line or hold many lines); its lines were read at <paramref name="at"/>.</summary>
    public void Feed(ReadOnlySpan<byte> chunk, DateTimeOffset at)
    {
        var newline = chunk.IndexOf((byte)'\n');
        if (newline >= 0)
        {
            lock (tail.Gate)
            {
                EndLine(chunk[..newline], at);
                chunk = chunk[(newline + 1)..];
                // While a line is watched for, every line is decoded and matched, even those the tail cannot keep.
                if (_watch is null)
                {
                    chunk = SkipUnkept(chunk);
                    // The whole lines left go into the tail in one piece (one copy, a record per line).
                    var end = chunk.LastIndexOf((byte)'\n') + 1;
                    tail.AddLinesHeld(at, chunk[..end]);
                    chunk = chunk[end..];
                }
                while ((newline = chunk.IndexOf((byte)'\n')) >= 0)
                {
                    EndLine(chunk[..newline], at);
                    chunk = chunk[(newline + 1)..];
                }
            }
        }
        Hold(chunk);
    }

    /// <summary>
    /// Lines of a chunk that the tail would overwrite within this very chunk (it holds more lines than the tail keeps)
    /// are only counted: the start of the lines kept is found from the chunk's end, so a 256 KiB read of short lines
    /// costs a vectorised count and the last lines, not a look at each line.
    /// </summary>
    private ReadOnlySpan<byte> SkipUnkept(ReadOnlySpan<byte> chunk)
    {
        // The newline before the lines kept: it ends the last line skipped.
        var end = Newlines.NthFromEnd(chunk, tail.Capacity + 1);
        if (end < 0)
            return chunk;
        tail.SkipHeld(chunk[..end].Count((byte)'\n') + 1);
        return chunk[(end + 1)..];
    }

    private void EndLine(ReadOnlySpan<byte> end, DateTimeOffset at)
    {
        if (_lineBytes == 0)
        {
            Add(end, end.Length, at);
            return;
        }
        Hold(end);
        Add(_pending.AsSpan(0, _pendingLength), _lineBytes, at);
        ReleasePending();
    }

    private void Add(ReadOnlySpan<byte> line, long lineBytes, DateTimeOffset at)
    {
        tail.AddHeld(at, line, lineBytes);
        if (_watch is { } watch && !Paused)
        {
            var text = LogTail.Decode(LogTail.Shown(line, lineBytes), lineBytes);
            if (watch.IsMatch(text)) Matched(text);
        }
    }

    private void Matched(string line)
    {
        var onMatch = _onMatch!;
        _watch = null;
        _onMatch = null;
        onMatch(line);
    }

    /// <summary>Keeps the start of an unfinished line (up to the tail limit) and counts all of its bytes.</summary>
    private void Hold(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
            return;
        _lineBytes += bytes.Length;
        var room = LogTail.MaxLineBytes - _pendingLength;
        if (room <= 0)
            return;
        // Rented only while a line is split across chunks, so idle processes hold no buffer.
        _pending ??= ArrayPool<byte>.Shared.Rent(LogTail.MaxLineBytes);
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
}
