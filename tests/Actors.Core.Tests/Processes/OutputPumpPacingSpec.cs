using Actors.Processes;
using Xunit;

namespace Actors.Core.Tests.Processes;

/// <summary>
/// When the output pump pauses between rounds (so that a line-by-line writer is read in batches) and when it does not:
/// the rule itself, on the bytes each round read. The pump's behaviour with real writers is in <see cref="OutputPumpSpec"/>.
/// </summary>
public sealed class OutputPumpPacingSpec
{
    private const long Small = 8 * 1024;
    private const long Big = 64 * 1024;

    [Fact]
    public void A_stream_of_small_reads_pauses_between_rounds()
    {
        Assert.True(OutputPump.PausesAfter(read: Small, readBefore: Small));
        Assert.True(OutputPump.PausesAfter(read: 1, readBefore: Big - 1));
    }

    [Fact]
    public void The_small_rest_after_a_big_write_is_not_held_back_by_a_pause()
    {
        // The last 64 KiB write of a stream is read whole, then its short rest: the rest goes to the file at once.
        Assert.False(OutputPump.PausesAfter(read: 7616, readBefore: Big));
        Assert.False(OutputPump.PausesAfter(read: Small, readBefore: 1 << 20));
    }

    [Fact]
    public void Big_reads_and_the_first_read_after_a_quiet_spell_go_on_without_a_pause()
    {
        Assert.False(OutputPump.PausesAfter(read: Big, readBefore: Small));
        Assert.False(OutputPump.PausesAfter(read: 256 * 1024, readBefore: Big));
        Assert.False(OutputPump.PausesAfter(read: Small, readBefore: 0));
        Assert.False(OutputPump.PausesAfter(read: 0, readBefore: Small));
    }
}
