using Actors.Node.Hosting;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>When the node gives the garbage of a burst of work back to the system (see IdleMemoryTrim).</summary>
public sealed class IdleMemoryTrimSpec
{
    private const long MiB = 1 << 20;

    [Fact]
    public void A_quiet_node_trims_after_a_burst_of_allocations()
    {
        // 100 MiB allocated by start-up, nothing since the last check.
        Assert.True(IdleMemoryTrim.Due(allocated: 100 * MiB, atLastCheck: 100 * MiB, atLastTrim: 0));
    }

    [Fact]
    public void A_busy_node_is_not_trimmed_however_much_it_allocated()
    {
        // A child logging without pause: 50 MiB in the last period.
        Assert.False(IdleMemoryTrim.Due(allocated: 150 * MiB, atLastCheck: 100 * MiB, atLastTrim: 0));
    }

    [Fact]
    public void A_node_that_stayed_idle_since_its_last_trim_is_not_trimmed_again()
    {
        // A heartbeat's few kilobytes since the trim: nothing worth a collection.
        Assert.False(IdleMemoryTrim.Due(allocated: 100 * MiB + 200_000, atLastCheck: 100 * MiB + 100_000, atLastTrim: 100 * MiB));
    }
}
