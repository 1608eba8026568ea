using System.Runtime.CompilerServices;
using System.Text;

namespace Actors.Logging;

/// <summary>One line of a process's output as kept in memory: numbered from 1, stamped when it was read.</summary>
public sealed record LogLine(long Sequence, DateTimeOffset At, string Text);

/// <summary>
/// The last lines of a process's output, so <c>actors logs NAME</c> and <c>logs --follow</c> work without
/// reading files. A ring: old lines are overwritten, memory stays bounded however much a process prints. It
/// starts small and grows to its capacity, so the many processes that print little cost little.
/// Thread-safe: the I/O loop adds while the control API reads.
/// </summary>
/// <remarks>
/// Lines are kept as the bytes the process wrote, in one byte ring with a ring of line records beside it, and are
/// decoded (UTF-8, invalid bytes as U+FFFD) only when read: a process printing a million lines a second costs the
/// output pump a copy per line, no string and no object (which were most of its allocations, and gen0 collections).
/// </remarks>
public sealed class LogTail
{
    /// <summary>A line longer than this many bytes is truncated in the tail, with a marker saying so (never in the file).</summary>
    internal const int MaxLineBytes = 8 * 1024;

    private const int InitialLines = 8;
    // Lines of a read that average at most this many bytes go into the ring in one copy (see AddLinesHeld).
    private const int BulkLineBytes = 1024;
    private const int InitialBytes = 256;

    private readonly Lock _gate = new();
    private readonly int _capacity;
    // The kept lines' records, oldest at _first; sequence numbers rise along the ring (with gaps where lines were
    // skipped). Grows to _capacity.
    private Line[] _lines;
    private int _first;
    private int _count;
    // The kept lines' bytes. Positions are virtual (they only grow): a line's bytes lie at Start % _bytes.Length and
    // are contiguous (a line that does not fit before the array's end starts at its beginning), and they are intact as
    // long as no more than _bytes.Length was written since: the ring grows instead of overwriting a kept line.
    private byte[] _bytes = [];
    private long _end;
    private long _keptBytes;
    private long _lastSequence;

    public LogTail(int capacity = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _lines = new Line[Math.Min(capacity, InitialLines)];
    }

    /// <summary>How many lines are kept.</summary>
    public int Capacity => _capacity;

    /// <summary>The size of the byte ring: what the kept lines' bytes cost in memory.</summary>
    internal int ReservedBytes
    {
        get
        {
            lock (_gate)
                return _bytes.Length;
        }
    }

    /// <summary>The sequence number of the newest line, 0 before the first one.</summary>
    public long LastSequence
    {
        get
        {
            lock (_gate)
                return _lastSequence;
        }
    }

    /// <summary>The newest <paramref name="n"/> lines still kept, oldest first.</summary>
    public IReadOnlyList<LogLine> Last(int n) => Collect(0, Math.Max(n, 0));

    /// <summary>
    /// Lines with a sequence number greater than <paramref name="sequence"/>, oldest first. A follower passes the
    /// last sequence it saw; if the first line returned is not <c>sequence + 1</c>, lines were dropped meanwhile.
    /// </summary>
    public IReadOnlyList<LogLine> Since(long sequence) => Collect(sequence + 1, null);

    internal void Add(DateTimeOffset at, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        lock (_gate)
            AddHeld(at, bytes, bytes.Length);
    }

    /// <summary>
    /// The lock the writer holds once for a whole chunk of lines (<see cref="AddHeld"/>, <see cref="SkipHeld"/>):
    /// taken per line, it was a tenth of the output pump's time with a fast writer.
    /// </summary>
    internal Lock Gate => _gate;

    /// <summary>
    /// <see cref="Add"/> for a caller holding <see cref="Gate"/>: a line (without its newline) of
    /// <paramref name="lineBytes"/> bytes, of which <paramref name="line"/> holds the first (at least
    /// <see cref="MaxLineBytes"/> of a longer one).
    /// </summary>
    internal void AddHeld(DateTimeOffset at, ReadOnlySpan<byte> line, long lineBytes)
    {
        var kept = Shown(line, lineBytes);
        _lastSequence++;
        DropBefore(_lastSequence - _capacity + 1);
        if (_count == _lines.Length)
            GrowLines();
        var start = Place(kept.Length);
        if (!kept.IsEmpty)
            kept.CopyTo(_bytes.AsSpan((int)(start % _bytes.Length)));
        _lines[(_first + _count) % _lines.Length] = new Line(_lastSequence, at, start, kept.Length, lineBytes);
        _count++;
        _keptBytes += kept.Length;
    }

    /// <summary>
    /// <see cref="AddHeld"/> for many lines at once, all read at <paramref name="at"/>: <paramref name="region"/> holds
    /// whole lines, each ending with its newline, at most <see cref="Capacity"/> of them. The lines these push out are
    /// dropped in one step and the region's bytes copied into the ring in one piece (its newlines with it), so a read
    /// of many short lines costs a copy and a record per line, not a placement per line. A region whose lines are
    /// longer than <see cref="BulkLineBytes"/> on average goes line by line: the ring then never holds more than that
    /// per line beyond what it shows (newlines, the unshown rest of a long line), whatever the output.
    /// </summary>
    internal void AddLinesHeld(DateTimeOffset at, ReadOnlySpan<byte> region)
    {
        var lines = region.Count((byte)'\n');
        if (lines == 0)
            return;
        if (lines > _capacity || region.Length > (long)lines * BulkLineBytes)
        {
            for (int newline; (newline = region.IndexOf((byte)'\n')) >= 0; region = region[(newline + 1)..])
                AddHeld(at, region[..newline], newline);
            return;
        }
        DropBefore(_lastSequence + lines - _capacity + 1);
        while (_lines.Length - _count < lines)
            GrowLines();
        var at0 = Place(region.Length);
        region.CopyTo(_bytes.AsSpan((int)(at0 % _bytes.Length)));
        var slot = (_first + _count) % _lines.Length;
        for (var offset = 0; offset < region.Length;)
        {
            var newline = region[offset..].IndexOf((byte)'\n');
            var kept = Shown(region.Slice(offset, newline), newline);
            _lines[slot] = new Line(++_lastSequence, at, at0 + offset, kept.Length, newline);
            if (++slot == _lines.Length)
                slot = 0;
            _keptBytes += kept.Length;
            offset += newline + 1;
        }
        _count += lines;
    }

    /// <summary>Lines counted, not kept (they would be overwritten before anyone could read them), for a caller holding <see cref="Gate"/>.</summary>
    internal void SkipHeld(long lines)
    {
        _lastSequence += lines;
        DropBefore(_lastSequence - _capacity + 1);
    }

    /// <summary>
    /// Forgets every line kept so far (<c>log.truncate-on-start</c>). Sequence numbers go on from where they were, so
    /// a follower that saw line N simply gets N+1 next.
    /// </summary>
    internal void Clear()
    {
        lock (_gate)
        {
            _first = _count = 0;
            _keptBytes = 0;
        }
    }

    /// <summary>
    /// What of a line the tail keeps and shows: a CR before the newline goes (CRLF output shows as plain lines; the file
    /// keeps the bytes as written); a line over <see cref="MaxLineBytes"/> keeps its start, cut at a character boundary
    /// so the cut adds no replacement character.
    /// </summary>
    // Inlined: the bulk path calls it for each of up to a thousand lines of every read, nearly always a short line.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ReadOnlySpan<byte> Shown(ReadOnlySpan<byte> line, long lineBytes)
    {
        if (lineBytes > MaxLineBytes)
            return Truncated(line);
        return !line.IsEmpty && line[^1] == (byte)'\r' ? line[..^1] : line;
    }

    private static ReadOnlySpan<byte> Truncated(ReadOnlySpan<byte> line)
    {
        var kept = line[..Math.Min(line.Length, MaxLineBytes)];
        if (kept.IsEmpty)
            return kept;
        var lead = kept.Length - 1;
        while (lead > 0 && (kept[lead] & 0xC0) == 0x80 && kept.Length - lead < 4)
            lead--;
        var length = kept[lead] switch { >= 0xF0 => 4, >= 0xE0 => 3, >= 0xC0 => 2, _ => 1 };
        return lead + length <= kept.Length ? kept : kept[..lead];
    }

    /// <summary>The text of a line as shown: its kept bytes decoded, and for a truncated one a marker with its full size.</summary>
    internal static string Decode(ReadOnlySpan<byte> shown, long lineBytes) =>
        lineBytes <= MaxLineBytes
            ? Encoding.UTF8.GetString(shown)
            : Encoding.UTF8.GetString(shown) + $" … [truncated in tail: line is {lineBytes} bytes]";

    /// <summary>Drops the oldest records below <paramref name="sequence"/>: lines beyond the capacity.</summary>
    private void DropBefore(long sequence)
    {
        // Every kept line goes (a read held more lines than the tail keeps): one step, not one per line.
        if (_count > 0 && _lines[(_first + _count - 1) % _lines.Length].Sequence < sequence)
        {
            _first = _count = 0;
            _keptBytes = 0;
            return;
        }
        while (_count > 0 && _lines[_first].Sequence < sequence)
        {
            _keptBytes -= _lines[_first].Length;
            _first = (_first + 1) % _lines.Length;
            _count--;
        }
    }

    private void GrowLines()
    {
        var grown = new Line[Math.Min(_capacity, _lines.Length * 2)];
        for (var i = 0; i < _count; i++)
            grown[i] = _lines[(_first + i) % _lines.Length];
        _lines = grown;
        _first = 0;
    }

    /// <summary>Where the next line's <paramref name="length"/> bytes go: after the last line, unless that would overwrite a kept one.</summary>
    private long Place(int length)
    {
        if (length == 0)
            return _end;
        var size = _bytes.Length;
        var needed = _keptBytes + length;
        // A burst of long lines made the ring grow: once the kept lines need far less, it gives the memory back.
        if (size > InitialBytes && needed * 8 < size)
            return Repack(length, Math.Max(InitialBytes, needed * 2));
        var start = _end;
        // A line's bytes are contiguous: one that does not fit before the array's end starts at its beginning.
        if (size > 0 && start % size + length > size)
            start += size - start % size;
        var oldest = _count > 0 ? _lines[_first].Start : start;
        if (size == 0 || start + length - oldest > size)
            return Repack(length, Math.Max(Math.Max(InitialBytes, (long)size * 2), needed * 2));
        _end = start + length;
        return start;
    }

    /// <summary>Moves the kept lines, in order and without gaps, into a new array of <paramref name="size"/> bytes, then places the next line.</summary>
    private long Repack(int length, long size)
    {
        // At most twice the kept lines (1000 of at most 8 KiB each by default): 16 MiB.
        var bytes = new byte[Math.Min(size, Array.MaxLength)];
        long at = 0;
        for (var i = 0; i < _count; i++)
        {
            ref var line = ref _lines[(_first + i) % _lines.Length];
            if (line.Length > 0)
                _bytes.AsSpan((int)(line.Start % _bytes.Length), line.Length).CopyTo(bytes.AsSpan((int)at));
            line = line with { Start = at };
            at += line.Length;
        }
        _bytes = bytes;
        _end = at + length;
        return at;
    }

    /// <summary>
    /// The kept lines from <paramref name="from"/> on (or the newest <paramref name="last"/>): copied out under the lock
    /// (a memory copy, so the writer is held up for no longer), decoded outside it.
    /// </summary>
    private List<LogLine> Collect(long from, int? last)
    {
        Line[] lines;
        byte[] bytes;
        lock (_gate)
        {
            if (last is { } n)
                from = _lastSequence - n + 1;
            var skip = 0;
            while (skip < _count && _lines[(_first + skip) % _lines.Length].Sequence < from)
                skip++;
            lines = new Line[_count - skip];
            long total = 0;
            for (var i = 0; i < lines.Length; i++)
            {
                lines[i] = _lines[(_first + skip + i) % _lines.Length];
                total += lines[i].Length;
            }
            bytes = total == 0 ? [] : new byte[total];
            var at = 0;
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Length > 0)
                    _bytes.AsSpan((int)(lines[i].Start % _bytes.Length), lines[i].Length).CopyTo(bytes.AsSpan(at));
                lines[i] = lines[i] with { Start = at };
                at += lines[i].Length;
            }
        }
        var result = new List<LogLine>(lines.Length);
        foreach (var line in lines)
            result.Add(new LogLine(line.Sequence, line.At, Decode(bytes.AsSpan((int)line.Start, line.Length), line.LineBytes)));
        return result;
    }

    /// <summary>A kept line: its number, when it was read, where its shown bytes are, and its full length in the output.</summary>
    private readonly record struct Line(long Sequence, DateTimeOffset At, long Start, int Length, long LineBytes);
}
