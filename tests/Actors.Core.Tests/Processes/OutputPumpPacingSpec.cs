using Actors.Processes;
using Xunit;

namespace Actors.Core.Tests.Processes;

/// <summary>
/// When the output pump takes a pipe out of its epoll set and reads it every millisecond (so that a line-by-line writer
/// is read in batches, and its writes do not run epoll's callback) and when the pipe goes back: the rules themselves, on
/// the bytes each read got. The pump's behaviour with real writers is in <see cref="OutputPumpSpec"/>.
/// </summary>
public sealed class OutputPumpPacingSpec
{
    private const long Small = 8 * 1024;
    private const long Big = 64 * 1024;

    [Fact]
    public void A_stream_of_small_reads_is_polled()
    {
        Assert.True(OutputPump.PolledAfter(read: Small, readBefore: Small));
        Assert.True(OutputPump.PolledAfter(read: 1, readBefore: Big - 1));
    }

    [Fact]
    public void The_small_rest_after_a_big_write_is_not_held_back()
    {
        // The last 64 KiB write of a stream is read whole, then its short rest: the rest goes to the file at once.
        Assert.False(OutputPump.PolledAfter(read: 7616, readBefore: Big));
        Assert.False(OutputPump.PolledAfter(read: Small, readBefore: 1 << 20));
    }

    [Fact]
    public void Big_reads_and_the_first_read_after_a_quiet_spell_stay_on_epoll()
    {
        Assert.False(OutputPump.PolledAfter(read: Big, readBefore: Small));
        Assert.False(OutputPump.PolledAfter(read: 256 * 1024, readBefore: Big));
        Assert.False(OutputPump.PolledAfter(read: Small, readBefore: 0));
        Assert.False(OutputPump.PolledAfter(read: 0, readBefore: Small));
    }

    [Fact]
    public void A_polled_pipe_goes_back_to_epoll_once_it_had_nothing_or_a_big_read()
    {
        Assert.True(OutputPump.StaysPolled(Small));
        Assert.True(OutputPump.StaysPolled(1));
        Assert.False(OutputPump.StaysPolled(0));
        Assert.False(OutputPump.StaysPolled(Big));
        Assert.False(OutputPump.StaysPolled(1 << 20));
    }
}
