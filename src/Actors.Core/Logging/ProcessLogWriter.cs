using System.Text;
using Actors.Configuration;

namespace Actors.Logging;

/// <summary>
/// Writes one process's merged stdout+stderr to its log file, as raw chunks arrive from the pipe: buffered,
/// optionally timestamped per line, rotated by size at line boundaries, and fed chunk by chunk into a
/// <see cref="LogTail"/>. Logs append across restarts of the process and of the node.
/// </summary>
/// <remarks>
/// A line still unfinished when the file reaches twice max-size (a <c>\r</c> progress bar, binary output) is cut
/// there, so no output can grow a file without bound: the file ends with <see cref="CutMarker"/> and the next one
/// starts with <see cref="ContinuedMarker"/>.
/// </remarks>
/// <remarks>
/// The file path does no per-line work when timestamps are off: chunks are written whole, and only near the
/// size limit is the next newline searched for. Thread-safe, though normally only the I/O loop calls it.
/// </remarks>
public sealed class ProcessLogWriter : IOutputSink, IDisposable
{
    /// <summary>Ends a file whose last line was cut by rotation (the line goes on in the next file).</summary>
    public const string CutMarker = " [actors: line cut by log rotation, continued in the next file]\n";

    /// <summary>Starts a file whose first line is the rest of a line cut by rotation.</summary>
    public const string ContinuedMarker = "[actors: continued from the previous file] ";

    private static readonly byte[] CutMarkerBytes = Encoding.UTF8.GetBytes(CutMarker);
    private static readonly byte[] ContinuedMarkerBytes = Encoding.UTF8.GetBytes(ContinuedMarker);

    private readonly Lock _gate = new();
    private readonly LogSettings _settings;
    private readonly TimeProvider _clock;
    private readonly LogFile _file;
    private readonly TailFeeder _tail;
    private readonly LogTail _tailOwner;
    private readonly TimestampPrefix? _prefix;
    private readonly long _cutSize;
    private bool _atLineStart = true;
    private bool _disposed;
    private long _bytesRead;

    /// <exception cref="LogWriteException">The file or its folder cannot be created or opened.</exception>
    public ProcessLogWriter(LogSettings settings, LogTail tail, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(tail);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MaxSize, 1, "settings.MaxSize");
        ArgumentOutOfRangeException.ThrowIfNegative(settings.Keep, "settings.Keep");
        _settings = settings;
        _clock = clock ?? TimeProvider.System;
        _tail = new TailFeeder(tail);
        _tailOwner = tail;
        _prefix = settings.Timestamps ? new TimestampPrefix() : null;
        _cutSize = settings.MaxSize > long.MaxValue / 2 ? long.MaxValue : 2 * settings.MaxSize;
        _file = new LogFile(Path.GetFullPath(settings.File), settings.Keep, _clock);
        // A previous writer was cut off mid-line (node killed): this run's output starts on a line of its own.
        if (_file.EndedMidLine)
            _file.Append("\n"u8);
    }

    /// <summary>Writes a chunk of output as read from the pipe; it may end mid-line or hold many lines.</summary>
    /// <exception cref="LogWriteException">The file cannot be written or rotated.</exception>
    public void Write(ReadOnlySpan<byte> chunk)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (chunk.IsEmpty)
                return;
            Interlocked.Add(ref _bytesRead, chunk.Length);
            // Every line of a chunk was read at the same instant: one clock reading serves them all.
            var now = _clock.GetUtcNow();
            // The tail first: it shows the output even while the file cannot be written (a full disk).
            _tail.Feed(chunk, now);
            var rotationFailure = WriteLines(chunk, now);
            if (rotationFailure is not null)
                throw rotationFailure;
        }
    }

    /// <summary>
    /// Writes output that is not the process's own (a hook's, already prefixed): into the file and the tail like any
    /// output, but never matched against a ready-log-line.
    /// </summary>
    /// <exception cref="LogWriteException">The file cannot be written or rotated.</exception>
    internal void WriteAside(ReadOnlySpan<byte> chunk)
    {
        lock (_gate)
        {
            _tail.Paused = true;
            try { Write(chunk); }
            finally { _tail.Paused = false; }
        }
    }

    /// <summary>
    /// Why the log is not written where it should be (the path could not be opened again after a rotation, or
    /// rotation failed), one line naming the file; null when all is well. Cleared once a retry succeeds. Takes no
    /// lock: the supervisor asks it for every status, and a write blocked on a FIFO must not block that.
    /// </summary>
    public string? Error => _file.Error;

    /// <summary>
    /// Bytes of output this writer took from the process (timestamps and markers not counted): the metrics'
    /// actors_log_bytes_total. Takes no lock, like <see cref="Error"/>.
    /// </summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>Hands buffered bytes to the OS; the I/O loop calls it after each batch of reads.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (!_disposed)
                _file.Flush();
        }
    }

    /// <summary>
    /// Ends a line the process left unterminated when its output ended, so the next run starts on a new line and
    /// the tail gets the last line too.
    /// </summary>
    public void CompletePartialLine()
    {
        lock (_gate)
        {
            if (_disposed || _atLineStart)
                return;
            _file.Append("\n"u8);
            _atLineStart = true;
            _tail.Feed("\n"u8, _clock.GetUtcNow());
        }
    }

    /// <summary>
    /// <c>ready-log-line</c>: <paramref name="onMatch"/> is called once, on the writing thread (it must not block),
    /// with the first line written from now on that <paramref name="pattern"/> matches, as the tail shows it (no
    /// timestamp; a line over 8 KiB only by its start). Null disarms. Replaces any watch armed before (a new run).
    /// </summary>
    public void WatchForLine(System.Text.RegularExpressions.Regex? pattern, Action<string>? onMatch)
    {
        lock (_gate)
            _tail.Watch(pattern, onMatch);
    }

    /// <summary>
    /// A simulation's stand-in for output (no process writes here): reports <paramref name="line"/> to the armed watch
    /// as the run's ready line, whatever the pattern, since a simulated process prints nothing to match.
    /// </summary>
    internal void SimulateReadyLine(string line)
    {
        lock (_gate)
            _tail.Report(line);
    }

    /// <summary>
    /// <c>log.truncate-on-start</c>: empties the file (a regular file; rotated copies are kept) and the in-memory tail,
    /// so both hold only what comes next. Only called while nothing of the process writes.
    /// </summary>
    /// <exception cref="LogWriteException">The file cannot be truncated.</exception>
    public void Truncate()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _file.Truncate();
            _atLineStart = true;
            _tail.Reset();
            _tailOwner.Clear();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            _file.Dispose();
        }
    }

    /// <summary>Writes the chunk to the file segment by segment; each segment ends at a line end or at the chunk's end.</summary>
    private LogWriteException? WriteLines(ReadOnlySpan<byte> chunk, DateTimeOffset now)
    {
        LogWriteException? rotationFailure = null;
        while (!chunk.IsEmpty)
        {
            if (_atLineStart)
            {
                if (_file.Size >= _settings.MaxSize)
                    rotationFailure ??= _file.Rotate();
                if (_prefix is not null)
                    _file.Append(_prefix.For(now));
            }
            else if (_file.Size >= _cutSize && _file.Rotatable)
            {
                rotationFailure ??= CutLine(now);
            }
            var segment = chunk[..SegmentLength(chunk)];
            _file.Append(segment);
            _atLineStart = segment[^1] == (byte)'\n';
            chunk = chunk[segment.Length..];
        }
        return rotationFailure;
    }

    /// <summary>Rotates in the middle of a line, marking the cut at the end of one file and the start of the next.</summary>
    private LogWriteException? CutLine(DateTimeOffset now)
    {
        _file.Append(CutMarkerBytes);
        var failure = _file.Rotate();
        if (_prefix is not null)
            _file.Append(_prefix.For(now));
        _file.Append(ContinuedMarkerBytes);
        return failure;
    }

    /// <summary>
    /// How much of <paramref name="chunk"/> to write before the next line start needs attention: one line when
    /// timestamps are on; otherwise everything up to the first line end that brings the file to max-size (the
    /// rotation point), or the whole chunk if the file stays below it. Never more than brings a regular file to
    /// twice max-size, where an unfinished line is cut.
    /// </summary>
    private int SegmentLength(ReadOnlySpan<byte> chunk)
    {
        var length = ToLineEnd(chunk);
        return _file.Rotatable ? (int)Math.Min(length, Math.Max(1, _cutSize - _file.Size)) : length;
    }

    private int ToLineEnd(ReadOnlySpan<byte> chunk)
    {
        var from = 0;
        if (_prefix is null)
        {
            var room = _settings.MaxSize - _file.Size;
            if (room > chunk.Length)
                return chunk.Length;
            from = (int)Math.Max(0, room - 1);
        }
        var newline = chunk[from..].IndexOf((byte)'\n');
        return newline < 0 ? chunk.Length : from + newline + 1;
    }
}
