using Actors.Configuration;
using Actors.Supervision;
using Xunit;

namespace Actors.Core.Tests.Supervision;

public class BackoffPolicySpec
{
    private static BackoffSettings Backoff(double min, double max, double factor = 0) =>
        new(TimeSpan.FromSeconds(min), TimeSpan.FromSeconds(max), factor, TimeSpan.FromSeconds(60));

    [Fact]
    public void Delay_doubles_from_min_and_stops_growing_at_max()
    {
        var settings = Backoff(1, 60);
        var delays = Enumerable.Range(0, 9).Select(n => BackoffPolicy.Delay(settings, n, new Random(1)).TotalSeconds);
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60, 60], delays);
    }

    [Fact]
    public void Delay_never_overflows_after_thousands_of_failures()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), BackoffPolicy.Delay(Backoff(1, 60), 5000, new Random(1)));
    }

    [Fact]
    public void Zero_min_means_immediate_restarts()
    {
        Assert.Equal(TimeSpan.Zero, BackoffPolicy.Delay(Backoff(0, 60, 0.5), 7, new Random(1)));
    }

    [Fact]
    public void Jitter_stays_within_the_random_factor_and_never_exceeds_max()
    {
        var settings = Backoff(1, 60, 0.2);
        var random = new Random(7);
        foreach (var attempt in new[] { 0, 3, 10 })
        {
            var capped = BackoffPolicy.Capped(settings, attempt).TotalSeconds;
            var samples = Enumerable.Range(0, 5000).Select(_ => BackoffPolicy.Delay(settings, attempt, random).TotalSeconds).ToList();
            Assert.All(samples, d => Assert.InRange(d, capped * 0.8 - 1e-6, Math.Min(60, capped * 1.2) + 1e-6));
            // Jitter really spreads the delays (both sides of the uncapped value are used).
            Assert.True(samples.Min() < capped * 0.85, $"attempt {attempt}: min {samples.Min()}");
            if (capped < 60) Assert.True(samples.Max() > capped * 1.15, $"attempt {attempt}: max {samples.Max()}");
        }
    }

    [Fact]
    public void Start_limit_allows_burst_starts_within_the_interval_then_refuses()
    {
        var limiter = new StartLimiter(new StartLimitSettings(3, TimeSpan.FromMinutes(1)));
        var t0 = TimeSpan.FromHours(1);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(limiter.Allows(t0 + TimeSpan.FromSeconds(i)));
            limiter.Record(t0 + TimeSpan.FromSeconds(i));
        }
        Assert.False(limiter.Allows(t0 + TimeSpan.FromSeconds(10)));
        // Once the first start slides out of the window, one more is allowed.
        Assert.True(limiter.Allows(t0 + TimeSpan.FromSeconds(60.5)));
        limiter.Reset();
        Assert.True(limiter.Allows(t0 + TimeSpan.FromSeconds(11)));
    }
}
