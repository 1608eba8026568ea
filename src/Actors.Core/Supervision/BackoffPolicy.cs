using Actors.Configuration;

namespace Actors.Supervision;

/// <summary>
/// The delay before restart number <c>n</c> (0-based, counting consecutive unplanned exits since the last
/// reset): <c>min * 2^n</c>, capped at <c>max</c>, then moved by a random ±<c>random-factor</c> so a crowd of
/// crashed processes does not restart in lock-step. The result never exceeds <c>max</c>: a user who says
/// "at most 60 s" gets at most 60 s.
/// </summary>
public static class BackoffPolicy
{
    public static TimeSpan Delay(BackoffSettings settings, int attempt, Random random)
    {
        var capped = Capped(settings, attempt);
        if (settings.RandomFactor <= 0 || capped <= TimeSpan.Zero) return capped;
        double jitter = 1.0 + (random.NextDouble() * 2.0 - 1.0) * settings.RandomFactor;
        var delay = TimeSpan.FromTicks((long)(capped.Ticks * jitter));
        return delay > settings.Max ? settings.Max : delay;
    }

    /// <summary>The delay before jitter: <c>min(max, min * 2^attempt)</c>, without overflow for large attempts.</summary>
    public static TimeSpan Capped(BackoffSettings settings, int attempt)
    {
        if (settings.Min <= TimeSpan.Zero) return TimeSpan.Zero;
        double ticks = settings.Min.Ticks * Math.Pow(2, Math.Min(attempt, 62));
        return ticks >= settings.Max.Ticks ? settings.Max : TimeSpan.FromTicks((long)ticks);
    }
}
