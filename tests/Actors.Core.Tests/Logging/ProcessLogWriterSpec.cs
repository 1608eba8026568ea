using System.Text;
using Actors.Logging;
using Xunit;

namespace Actors.Core.Tests.Logging;

public sealed class ProcessLogWriterSpec : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Lines_split_across_chunks_arrive_whole_in_file_and_tail()
    {
        var file = _folder.File("app.log");
        var tail = new LogTail();
        using (var writer = new ProcessLogWriter(LogTest.Settings(file), tail))
        {
            writer.Write("hel");
            writer.Write("lo\nwor");
            Assert.Equal(["hello"], tail.Last(10).Select(l => l.Text));
            writer.Write("ld\n");
        }

        Assert.Equal("hello\nworld\n", File.ReadAllText(file));
        Assert.Equal(["hello", "world"], tail.Last(10).Select(l => l.Text));
    }

    [Fact]
    public void Hundred_thousand_lines_in_random_chunks_arrive_exactly_once_in_order()
    {
        var file = _folder.File("flood.log");
        var expected = Enumerable.Range(1, 100_000).Select(i => $"line {i} " + new string('x', i % 37)).ToArray();
        var bytes = Encoding.UTF8.GetBytes(string.Concat(expected.Select(l => l + "\n")));
        var random = new Random(42);

        using (var writer = new ProcessLogWriter(LogTest.Settings(file), new LogTail()))
        {
            for (var offset = 0; offset < bytes.Length;)
            {
                var size = Math.Min(random.Next(1, 5000), bytes.Length - offset);
                writer.Write(bytes.AsSpan(offset, size));
                offset += size;
                if (random.Next(4) == 0)
                    writer.Flush();
            }
        }

        Assert.Equal(expected, LogTest.Lines(file));
    }

    [Fact]
    public void The_tail_holds_the_newest_thousand_of_a_hundred_thousand_lines_written_in_random_chunks_numbered_in_order()
    {
        var expected = Enumerable.Range(1, 100_000).Select(i => $"line {i} " + new string('é', i % 37)).ToArray();
        var bytes = Encoding.UTF8.GetBytes(string.Concat(expected.Select(l => l + "\n")));
        var random = new Random(43);
        var tail = new LogTail();

        using (var writer = new ProcessLogWriter(LogTest.Settings(_folder.File("flood.log")), tail))
        {
            for (var offset = 0; offset < bytes.Length;)
            {
                // From a few bytes (splitting characters) to more lines than the tail keeps in one read.
                var size = Math.Min(random.Next(4) == 0 ? random.Next(1, 8) : random.Next(1, 300_000), bytes.Length - offset);
                writer.Write(bytes.AsSpan(offset, size));
                offset += size;
            }
        }

        Assert.Equal(100_000, tail.LastSequence);
        var kept = tail.Last(2000);
        Assert.Equal(expected[^1000..], kept.Select(l => l.Text));
        Assert.Equal(Enumerable.Range(99_001, 1000).Select(i => (long)i), kept.Select(l => l.Sequence));
    }

    [Fact]
    public void A_character_split_between_two_reads_is_whole_in_the_tail_and_the_file()
    {
        var file = _folder.File("split.log");
        var tail = new LogTail();
        var line = Encoding.UTF8.GetBytes("h\u00e9llo \U0001F600\n");
        using (var writer = new ProcessLogWriter(LogTest.Settings(file), tail))
        {
            // Reads that end after the first byte of é, and inside the emoji's four bytes.
            writer.Write(line.AsSpan(0, 2));
            writer.Write(line.AsSpan(2, 6));
            writer.Write(line.AsSpan(8));
        }

        Assert.Equal(["h\u00e9llo \U0001F600"], tail.Last(10).Select(l => l.Text));
        Assert.Equal(line, File.ReadAllBytes(file));
    }

    [Fact]
    public void A_line_longer_than_a_whole_read_is_whole_in_the_file_and_cut_with_its_size_in_the_tail()
    {
        var file = _folder.File("huge.log");
        var tail = new LogTail();
        var huge = new string('é', 1 << 19); // 1 MiB of UTF-8: four reads of the output pump's 256 KiB
        var bytes = Encoding.UTF8.GetBytes(huge + "\nnext\n");
        using (var writer = new ProcessLogWriter(LogTest.Settings(file), tail))
        {
            for (var offset = 0; offset < bytes.Length; offset += 256 * 1024 - 1)
                writer.Write(bytes.AsSpan(offset, Math.Min(256 * 1024 - 1, bytes.Length - offset)));
        }

        Assert.Equal([huge, "next"], LogTest.Lines(file));
        var shown = tail.Last(10);
        Assert.Equal(new string('é', 4096) + " … [truncated in tail: line is 1048576 bytes]", shown[0].Text);
        Assert.Equal("next", shown[1].Text);
        Assert.Equal([1L, 2L], shown.Select(l => l.Sequence));
    }

    [Fact]
    public void Flush_makes_written_lines_visible_to_readers_while_the_writer_stays_open()
    {
        var file = _folder.File("live.log");
        using var writer = new ProcessLogWriter(LogTest.Settings(file), new LogTail());

        writer.Write("first\n");
        writer.Flush();

        using var reader = new StreamReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        Assert.Equal("first\n", reader.ReadToEnd());
    }

    [Fact]
    public void Logs_append_across_writer_instances_like_process_and_node_restarts()
    {
        var file = _folder.File("restarts.log");
        foreach (var run in new[] { "run 1", "run 2", "run 3" })
        {
            using var writer = new ProcessLogWriter(LogTest.Settings(file), new LogTail());
            writer.Write(run + "\n");
        }

        Assert.Equal(["run 1", "run 2", "run 3"], LogTest.Lines(file));
    }

    [Fact]
    public void Output_that_ends_mid_line_is_terminated_so_the_next_run_starts_on_a_new_line()
    {
        var file = _folder.File("partial.log");
        var tail = new LogTail();
        using (var writer = new ProcessLogWriter(LogTest.Settings(file), tail))
        {
            writer.Write("no newline at the end");
            writer.CompletePartialLine();
            writer.CompletePartialLine();
        }
        using (var writer = new ProcessLogWriter(LogTest.Settings(file), tail))
            writer.Write("next run\n");

        Assert.Equal(["no newline at the end", "next run"], LogTest.Lines(file));
        Assert.Equal(["no newline at the end", "next run"], tail.Last(10).Select(l => l.Text));
    }

    [Fact]
    public void A_file_left_mid_line_by_a_killed_node_gets_its_line_ended_before_new_output()
    {
        var file = _folder.File("killed.log");
        File.WriteAllText(file, "cut off by SIGKILL");

        using (var writer = new ProcessLogWriter(LogTest.Settings(file), new LogTail()))
            writer.Write("after restart\n");

        Assert.Equal(["cut off by SIGKILL", "after restart"], LogTest.Lines(file));
    }

    [Fact]
    public void Timestamps_prefix_every_line_once_at_its_start_even_across_chunks()
    {
        var file = _folder.File("stamped.log");
        var clock = new FakeClock(new DateTimeOffset(2026, 11, 23, 10, 1, 49, 123, TimeSpan.Zero));
        using (var writer = new ProcessLogWriter(LogTest.Settings(file, timestamps: true), new LogTail(), clock))
        {
            writer.Write("a");
            clock.Advance(TimeSpan.FromMilliseconds(5));
            writer.Write("b\nc");
            clock.Advance(TimeSpan.FromSeconds(1));
            writer.Write("\nd\ne\n");
        }

        Assert.Equal(
            [
                "2026-11-23T10:01:49.123Z ab",
                "2026-11-23T10:01:49.128Z c",
                "2026-11-23T10:01:50.128Z d",
                "2026-11-23T10:01:50.128Z e",
            ],
            LogTest.Lines(file));
    }

    [Fact]
    public void Timestamps_show_the_millisecond_in_utc_whatever_the_clock_offset()
    {
        var file = _folder.File("utc.log");
        var clock = new FakeClock(new DateTimeOffset(2026, 11, 23, 12, 0, 0, 0, TimeSpan.FromHours(2)).AddTicks(9_999));
        using (var writer = new ProcessLogWriter(LogTest.Settings(file, timestamps: true), new LogTail(), clock))
        {
            writer.Write("x\n");
            clock.Advance(TimeSpan.FromTicks(1));
            writer.Write("y\n");
        }

        Assert.Equal(["2026-11-23T10:00:00.000Z x", "2026-11-23T10:00:00.001Z y"], LogTest.Lines(file));
    }

    [Fact]
    public void Tail_shows_text_without_timestamps_decoded_with_invalid_bytes_replaced()
    {
        var tail = new LogTail();
        using (var writer = new ProcessLogWriter(LogTest.Settings(_folder.File("t.log"), timestamps: true), tail))
        {
            writer.Write("héllo\r\n");
            writer.Write([(byte)'b', 0xFF, (byte)'d', (byte)'\n']);
        }

        Assert.Equal(["héllo", "b\uFFFDd"], tail.Last(10).Select(l => l.Text));
    }

    [Fact]
    public void A_very_long_line_is_truncated_in_the_tail_with_a_marker_but_kept_whole_in_the_file()
    {
        var file = _folder.File("long.log");
        var tail = new LogTail();
        var line = new string('é', 20_000);
        using (var writer = new ProcessLogWriter(LogTest.Settings(file), tail))
        {
            var bytes = Encoding.UTF8.GetBytes(line + "\n");
            for (var offset = 0; offset < bytes.Length; offset += 999)
                writer.Write(bytes.AsSpan(offset, Math.Min(999, bytes.Length - offset)));
        }

        Assert.Equal([line], LogTest.Lines(file));
        var shown = Assert.Single(tail.Last(10)).Text;
        Assert.StartsWith(new string('é', 4096) + " … [truncated in tail: line is 40000 bytes]", shown);
        Assert.DoesNotContain('\uFFFD', shown);
    }

    [Fact]
    public void A_chunk_with_more_lines_than_the_tail_holds_keeps_the_newest_and_counts_them_all()
    {
        var tail = new LogTail(capacity: 3);
        using (var writer = new ProcessLogWriter(LogTest.Settings(_folder.File("many.log")), tail))
        {
            writer.Write("partial ");
            writer.Write(string.Concat(Enumerable.Range(1, 10).Select(i => $"l{i}\n")));
        }

        Assert.Equal(10, tail.LastSequence);
        Assert.Equal([(8L, "l8"), (9L, "l9"), (10L, "l10")], tail.Last(10).Select(l => (l.Sequence, l.Text)));
    }

    [Fact]
    public void An_unwritable_log_folder_gives_LogWriteException_naming_the_path()
    {
        // A regular file where a folder should be: fails even for root, unlike a chmod'ed folder.
        var blocker = _folder.File("not-a-folder");
        File.WriteAllText(blocker, "");
        var file = Path.Combine(blocker, "logs", "app.log");

        var error = Assert.Throws<LogWriteException>(() => new ProcessLogWriter(LogTest.Settings(file), new LogTail()));

        Assert.Equal(file, error.Path);
        Assert.Contains(file, error.Message);
        Assert.Contains("writable", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_log_path_that_is_a_folder_gives_LogWriteException_naming_the_path()
    {
        var error = Assert.Throws<LogWriteException>(
            () => new ProcessLogWriter(LogTest.Settings(_folder.Path), new LogTail()));

        Assert.Contains(_folder.Path, error.Message);
    }

    [Fact]
    public void A_symlink_planted_at_the_log_path_is_not_followed_and_the_error_says_why()
    {
        var target = _folder.File("precious");
        File.WriteAllText(target, "untouched\n");
        var file = _folder.File("app.log");
        File.CreateSymbolicLink(file, target);

        var error = Assert.Throws<LogWriteException>(() => new ProcessLogWriter(LogTest.Settings(file), new LogTail()));

        Assert.Contains(file, error.Message);
        Assert.Contains("symbolic link", error.Message);
        Assert.Equal("untouched\n", File.ReadAllText(target));
    }

    [Fact]
    public void A_symlink_planted_while_the_log_is_being_reopened_is_not_followed()
    {
        var target = _folder.File("precious");
        File.WriteAllText(target, "untouched\n");
        var file = _folder.File("app.log");
        var clock = new FakeClock(DateTimeOffset.UnixEpoch);
        using var writer = new ProcessLogWriter(LogTest.Settings(file, maxSize: 100, keep: 1), new LogTail(), clock);
        writer.Write(new string('a', 120) + "\n");
        writer.Flush();
        // A folder at the path makes the rotation fail; the writer then retries opening the path.
        File.Move(file, _folder.File("moved"));
        Directory.CreateDirectory(file);
        Assert.Throws<LogWriteException>(() => writer.Write("second line\n"));
        Directory.Delete(file);
        File.CreateSymbolicLink(file, target);
        clock.Advance(TimeSpan.FromSeconds(5));

        writer.Write("third line\n");
        writer.Flush();

        Assert.Equal("untouched\n", File.ReadAllText(target));
        Assert.Contains("symbolic link", writer.Error);
        Assert.Contains(file, writer.Error);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_new_log_file_is_readable_by_its_owner_and_group_only()
    {
        var file = _folder.File("app.log");
        using (new ProcessLogWriter(LogTest.Settings(file), new LogTail()))
        {
        }

        // The mode asked for is 0640; the process's umask may only take more away.
        var expected = (UnixFileMode)Convert.ToInt32("640", 8) & ~Umask();
        Assert.Equal(expected, File.GetUnixFileMode(file));
    }

    private static UnixFileMode Umask()
    {
        var line = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Umask:"));
        return (UnixFileMode)Convert.ToInt32(line["Umask:".Length..].Trim(), 8);
    }
}
