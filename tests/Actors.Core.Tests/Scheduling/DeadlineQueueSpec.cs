using Actors.Scheduling;
using Xunit;

namespace Actors.Core.Tests.Scheduling;

/// <summary>How a repeating entry's next due time follows from its last one: the rule behind "no drift".</summary>
public sealed class DeadlineQueueSpec
{
    [Theory]
    [InlineData(100, 10, 100, 110)] // on time
    [InlineData(100, 10, 107, 110)] // late: the next beat keeps its phase, so lateness does not add up
    [InlineData(100, 10, 110, 120)] // a whole interval late: that beat is skipped, not fired twice in a row
    [InlineData(100, 10, 135, 140)] // stalled for several intervals: one beat soon, no burst of missed ones, same phase
    public void The_next_beat_keeps_the_rate_and_skips_what_a_stall_missed(long due, long interval, long now, long next) =>
        Assert.Equal(next, DeadlineQueue.NextDue(due, interval, now));

    [Fact]
    public void Huge_intervals_saturate_instead_of_overflowing()
    {
        Assert.Equal(long.MaxValue, DeadlineQueue.NextDue(long.MaxValue - 5, 10, 0));
        Assert.Equal(long.MaxValue, DeadlineQueue.NextDue(1000, TimeSpan.MaxValue.Ticks, 2000));
    }
}
