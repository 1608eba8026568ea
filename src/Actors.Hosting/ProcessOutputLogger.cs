using System.Collections.Concurrent;
using Actors.Logging;
using Microsoft.Extensions.Logging;

namespace Actors.Hosting;

/// <summary>
/// Copies the lines of every process to the host's logger (category <c>process.NAME</c>), read from each run's
/// in-memory tail a few times a second: the log file stays the one complete record, and a process that prints
/// faster than the copy keeps up costs skipped lines here, never a slower process.
/// </summary>
internal sealed class ProcessOutputLogger : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly ILoggerFactory _loggers;
    private readonly ConcurrentDictionary<LogTail, (ILogger Log, long Seen)> _tails = new();
    private readonly Timer _timer;

    public ProcessOutputLogger(ILoggerFactory loggers)
    {
        _loggers = loggers;
        _timer = new Timer(_ => Drain(), null, Interval, Interval);
    }

    /// <summary>Wraps the log opener so each run's tail is followed.</summary>
    public Func<Configuration.ProcessSettings, LogTail, ProcessLogWriter?> Follow(Func<Configuration.ProcessSettings, LogTail, ProcessLogWriter?> open) =>
        (settings, tail) =>
        {
            _tails.TryAdd(tail, (_loggers.CreateLogger($"process.{settings.Name}"), tail.LastSequence));
            return open(settings, tail);
        };

    private void Drain()
    {
        foreach (var (tail, (log, seen)) in _tails)
        {
            var lines = tail.Since(seen);
            if (lines.Count == 0) continue;
            foreach (var line in lines) log.LogInformation("{Line}", line.Text.TrimEnd('\n'));
            _tails[tail] = (log, lines[^1].Sequence);
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        Drain();
    }
}
