namespace Actors.Logging;

/// <summary>One line of a process's output as kept in memory: numbered from 1, stamped when it was read.</summary>
public sealed record LogLine(long Sequence, DateTimeOffset At, string Text);

/// <summary>
/// The last lines of a process's output, so <c>actors logs NAME</c> and <c>logs --follow</c> work without
/// reading files. A ring: old lines are overwritten, memory stays bounded however much a process prints. It
/// starts small and grows to its capacity, so the many processes that print little cost little.
/// Thread-safe: the I/O loop adds while the control API reads.
/// </summary>
public sealed class LogTail
{
    private readonly Lock _gate = new();
    private const int InitialSize = 16;
    private readonly int _capacity;
    private LogLine?[] _ring;
    private long _lastSequence;
    // Lines before this one were cleared (log.truncate-on-start): sequence numbers go on, so a follower sees no reuse.
    private long _firstKept = 1;

    public LogTail(int capacity = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _ring = new LogLine?[Math.Min(capacity, InitialSize)];
    }

    /// <summary>How many lines are kept.</summary>
    public int Capacity => _capacity;

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
    public IReadOnlyList<LogLine> Last(int n)
    {
        lock (_gate)
            return Collect(_lastSequence - Math.Max(n, 0) + 1);
    }

    /// <summary>
    /// Lines with a sequence number greater than <paramref name="sequence"/>, oldest first. A follower passes the
    /// last sequence it saw; if the first line returned is not <c>sequence + 1</c>, lines were dropped meanwhile.
    /// </summary>
    public IReadOnlyList<LogLine> Since(long sequence)
    {
        lock (_gate)
            return Collect(sequence + 1);
    }

    internal void Add(DateTimeOffset at, string text)
    {
        lock (_gate)
            AddHeld(at, text);
    }

    /// <summary>
    /// The lock the writer holds once for a whole chunk of lines (<see cref="AddHeld"/>, <see cref="SkipHeld"/>):
    /// taken per line, it was a tenth of the output pump's time with a fast writer.
    /// </summary>
    internal Lock Gate => _gate;

    /// <summary><see cref="Add"/> for a caller holding <see cref="Gate"/>.</summary>
    internal void AddHeld(DateTimeOffset at, string text)
    {
        _lastSequence++;
        if (_lastSequence > _ring.Length && _ring.Length < _capacity)
            Grow();
        _ring[Slot(_lastSequence)] = new LogLine(_lastSequence, at, text);
    }

    /// <summary>One line counted, not kept, for a caller holding <see cref="Gate"/>.</summary>
    internal void SkipHeld() => _lastSequence++;

    /// <summary>
    /// Forgets every line kept so far (<c>log.truncate-on-start</c>). Sequence numbers go on from where they were, so
    /// a follower that saw line N simply gets N+1 next.
    /// </summary>
    internal void Clear()
    {
        lock (_gate)
            _firstKept = _lastSequence + 1;
    }

    private void Grow()
    {
        var old = _ring;
        _ring = new LogLine?[Math.Min(_capacity, old.Length * 2)];
        foreach (var line in old)
        {
            if (line is not null)
                _ring[Slot(line.Sequence)] = line;
        }
    }

    /// <summary>
    /// Counts lines that would be overwritten before anyone could read them (a chunk holding more lines than the
    /// ring), so the writer need not decode them; their slots are recognised as stale by their sequence number.
    /// </summary>
    internal void Skip(long lines)
    {
        lock (_gate)
            _lastSequence += lines;
    }

    private List<LogLine> Collect(long from)
    {
        from = Math.Max(from, Math.Max(_firstKept, _lastSequence - _ring.Length + 1));
        var lines = new List<LogLine>((int)Math.Max(0, _lastSequence - from + 1));
        for (var sequence = from; sequence <= _lastSequence; sequence++)
        {
            if (_ring[Slot(sequence)] is { } line && line.Sequence == sequence)
                lines.Add(line);
        }
        return lines;
    }

    private int Slot(long sequence) => (int)((sequence - 1) % _ring.Length);
}
