using System.Text;
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
    public void Lines_of_every_length_stay_intact_while_the_ring_wraps_grows_and_shrinks()
    {
        var tail = new LogTail(capacity: 5);
        var random = new Random(7);
        var written = new List<string>();
        for (var i = 0; i < 5000; i++)
        {
            // Mostly short lines, empty ones, and bursts of long ones (up to the tail's line limit) now and then.
            var length = (i / 500) % 3 == 1 ? random.Next(0, LogTail.MaxLineBytes + 1) : random.Next(0, 40);
            var text = $"{i}:" + new string((char)('a' + i % 26), Math.Max(0, length - 8));
            tail.Add(At, text);
            written.Add(text);
            var kept = tail.Last(5);
            Assert.Equal(written.Skip(Math.Max(0, written.Count - 5)), kept.Select(l => l.Text));
            Assert.Equal(written.Count, kept[^1].Sequence);
        }
    }

    [Fact]
    public void After_a_burst_of_long_lines_the_tail_gives_its_memory_back_once_lines_are_short_again()
    {
        var tail = new LogTail(capacity: 100);
        for (var i = 0; i < 200; i++)
            tail.Add(At, new string('x', 8000));
        var afterBurst = tail.ReservedBytes;
        Assert.InRange(afterBurst, 100 * 8000, 4 * 100 * 8000);

        for (var i = 0; i < 2000; i++)
            tail.Add(At, $"short {i}");

        // A few KiB for 100 short lines (at most 8 times what they need), not the 800 KB the long ones took.
        Assert.True(tail.ReservedBytes <= 8 * 1024, $"{tail.ReservedBytes} bytes still reserved for 100 short lines");
        Assert.Equal(Enumerable.Range(1900, 100).Select(i => $"short {i}"), tail.Last(100).Select(l => l.Text));
    }

    [Fact]
    public void Lines_are_decoded_only_when_read_with_invalid_bytes_shown_as_replacement_characters()
    {
        var tail = new LogTail();
        lock (tail.Gate)
        {
            tail.AddHeld(At, "caf\u00e9"u8, 5);
            tail.AddHeld(At, [(byte)'a', 0xFF, (byte)'b'], 3);
            tail.AddHeld(At, "ends with CR\r"u8, 13);
        }

        Assert.Equal(["caf\u00e9", "a\uFFFDb", "ends with CR"], tail.Last(10).Select(l => l.Text));
    }

    [Fact]
    public void Lines_added_a_read_at_a_time_are_kept_as_if_added_one_by_one_while_the_ring_wraps_grows_and_shrinks()
    {
        // A read of many lines goes into the ring in one copy: after every read, the kept lines, their numbers and
        // what the ring reserves must be what line by line gives (CRLF, empty lines, long lines kept by their start).
        var random = new Random(11);
        var batched = new LogTail(capacity: 50);
        var single = new LogTail(capacity: 50);
        var written = 0;
        for (var read = 0; read < 3000; read++)
        {
            var lines = new List<byte[]>();
            var count = random.Next(4) == 0 ? random.Next(40, 51) : random.Next(1, 12);
            for (var i = 0; i < count; i++)
            {
                written++;
                var length = (read / 300) % 3 == 1 ? random.Next(0, 2 * LogTail.MaxLineBytes) : random.Next(0, 30);
                var text = $"{written}:" + new string((char)('a' + written % 26), Math.Max(0, length - 8));
                lines.Add(Encoding.UTF8.GetBytes(text + (written % 5 == 0 ? "\r\n" : "\n")));
            }
            var region = lines.SelectMany(l => l).ToArray();
            lock (batched.Gate)
                batched.AddLinesHeld(At, region);
            lock (single.Gate)
                foreach (var line in lines)
                    single.AddHeld(At, line.AsSpan(0, line.Length - 1), line.Length - 1);

            Assert.Equal(written, batched.LastSequence);
            Assert.Equal(single.Last(50), batched.Last(50));
            Assert.True(batched.ReservedBytes <= 2 * single.ReservedBytes + 64 * 1024,
                $"{batched.ReservedBytes} bytes reserved for what line by line keeps in {single.ReservedBytes}");
        }
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
