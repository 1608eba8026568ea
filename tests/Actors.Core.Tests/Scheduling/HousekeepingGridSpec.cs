using Actors.Scheduling;
using Xunit;

namespace Actors.Core.Tests.Scheduling;

/// <summary>Where a housekeeping timer first fires: the next whole multiple of its period, whoever starts it when.</summary>
public sealed class HousekeepingGridSpec
{
    [Theory]
    [InlineData(25_000, 10_000, 5_000)] // mid-period: the rest of it
    [InlineData(30_000, 10_000, 10_000)] // on a beat: the next one, never zero
    [InlineData(30_001, 10_000, 9_999)]
    [InlineData(7_500, 2_500, 2_500)] // a 2.5 s heartbeat's beats include every 10 s beat
    public void A_timer_first_fires_at_the_next_multiple_of_its_period(long nowMs, long periodMs, long delayMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(delayMs),
            HousekeepingGrid.UntilNextBeat(TimeSpan.FromMilliseconds(nowMs), TimeSpan.FromMilliseconds(periodMs)));

    [Fact]
    public void Two_timers_started_at_different_times_fire_together()
    {
        var period = TimeSpan.FromSeconds(10);
        var early = TimeSpan.FromMilliseconds(31_200);
        var late = TimeSpan.FromMilliseconds(38_900);
        Assert.Equal(early + HousekeepingGrid.UntilNextBeat(early, period), late + HousekeepingGrid.UntilNextBeat(late, period));
    }

    [Fact]
    public void A_period_of_zero_has_no_grid() =>
        Assert.Equal(TimeSpan.Zero, HousekeepingGrid.UntilNextBeat(TimeSpan.FromSeconds(3), TimeSpan.Zero));
}
