using Actors.Logging;
using Xunit;

namespace Actors.Core.Tests.Logging;

public sealed class LogTailSpec
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_empty_tail_has_no_lines_and_sequence_zero()
    {
        var tail = new LogTail();

        Assert.Equal(0, tail.LastSequence);
        Assert.Empty(tail.Last(10));
        Assert.Empty(tail.Since(0));
    }

    [Fact]
    public void Last_returns_the_newest_lines_oldest_first()
    {
        var tail = Filled(capacity: 10, lines: 5);

        Assert.Equal(["l3", "l4", "l5"], tail.Last(3).Select(l => l.Text));
        Assert.Equal(["l1", "l2", "l3", "l4", "l5"], tail.Last(100).Select(l => l.Text));
        Assert.Empty(tail.Last(0));
    }

    [Fact]
    public void Since_returns_only_lines_after_the_given_sequence_for_following()
    {
        var tail = Filled(capacity: 10, lines: 5);

        Assert.Equal([4L, 5L], tail.Since(3).Select(l => l.Sequence));
        Assert.Empty(tail.Since(5));
        tail.Add(At, "l6");
        Assert.Equal(["l6"], tail.Since(5).Select(l => l.Text));
    }

    [Fact]
    public void The_tail_keeps_at_most_its_capacity_and_sequence_numbers_keep_counting()
    {
        var tail = Filled(capacity: 3, lines: 10);

        Assert.Equal(10, tail.LastSequence);
        Assert.Equal([8L, 9L, 10L], tail.Last(100).Select(l => l.Sequence));
        // A follower that fell behind sees the gap in the sequence numbers.
        Assert.Equal([8L, 9L, 10L], tail.Since(2).Select(l => l.Sequence));
    }

    [Fact]
    public void Lines_carry_the_time_they_were_read()
    {
        var tail = new LogTail();
        tail.Add(At, "x");

        Assert.Equal(new LogLine(1, At, "x"), Assert.Single(tail.Last(1)));
    }

    [Fact]
    public async Task Readers_see_consistent_lines_while_a_writer_adds()
    {
        var tail = new LogTail(capacity: 100);
        var writer = Task.Run(() =>
        {
            for (var i = 1; i <= 200_000; i++)
                tail.Add(At, $"l{i}");
        });

        while (!writer.IsCompleted)
        {
            var lines = tail.Last(100);
            for (var i = 1; i < lines.Count; i++)
                Assert.Equal(lines[i - 1].Sequence + 1, lines[i].Sequence);
            Assert.All(lines, l => Assert.Equal($"l{l.Sequence}", l.Text));
        }
        await writer;
        Assert.Equal(200_000, tail.LastSequence);
    }

    [Fact]
    public void Capacity_below_one_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogTail(0));
    }

    private static LogTail Filled(int capacity, int lines)
    {
        var tail = new LogTail(capacity);
        for (var i = 1; i <= lines; i++)
            tail.Add(At, $"l{i}");
        return tail;
    }
}
