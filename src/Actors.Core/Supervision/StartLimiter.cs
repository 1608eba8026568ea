using Actors.Configuration;

namespace Actors.Supervision;

/// <summary>
/// Counts starts in a sliding window (systemd's StartLimitBurst / StartLimitIntervalSec): a start is
/// allowed while fewer than <c>burst</c> starts happened within the <c>interval</c> before it. Times are monotonic
/// (<see cref="Actors.Scheduling.PolicyClock.Monotonic"/>): a wall-clock step must neither make old starts count
/// again nor forget recent ones.
/// </summary>
public sealed class StartLimiter(StartLimitSettings settings)
{
    private readonly Queue<TimeSpan> _starts = new();

    /// <summary>A limiter that has already counted <paramref name="starts"/> (oldest first), e.g. from a lifecycle state.</summary>
    public StartLimiter(StartLimitSettings settings, IEnumerable<TimeSpan> starts) : this(settings)
    {
        foreach (var start in starts) Record(start);
    }

    public StartLimitSettings Settings { get; } = settings;

    /// <summary>The starts it counts, oldest first.</summary>
    public IReadOnlyList<TimeSpan> Starts => _starts.ToArray();

    /// <summary>Starts counted in the window that ends at <paramref name="at"/>.</summary>
    public int CountAt(TimeSpan at)
    {
        int count = 0;
        foreach (var start in _starts) if (start > at - Settings.Interval) count++;
        return count;
    }

    /// <summary>True when a start at <paramref name="at"/> is still within the limit.</summary>
    public bool Allows(TimeSpan at) => CountAt(at) < Settings.Burst;

    public void Record(TimeSpan at)
    {
        _starts.Enqueue(at);
        // Keep no more history than the limit can ever look at: the last burst starts, and of those only the ones
        // still in the window (times only grow, so a start that left it never counts again). Without the window, a
        // burst out of reach kept every start a crash loop made, and each start copied them all.
        while (_starts.Count > 0 && (_starts.Count > Settings.Burst || _starts.Peek() <= at - Settings.Interval)) _starts.Dequeue();
    }

    /// <summary>Forgets every start: an operator's explicit start gets a fresh budget.</summary>
    public void Reset() => _starts.Clear();
}
