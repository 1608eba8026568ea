using System.Text;
using Actors.Logging;
using Xunit;

namespace Actors.Core.Tests.Logging;

public sealed class LogRotationSpec : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_log_file_that_is_not_a_regular_file_is_never_rotated_or_renamed()
    {
        // A FIFO stands in for /dev/null: the same "not a regular file" path, and harmless if it were renamed.
        var fifo = _folder.File("pipe.log");
        System.Diagnostics.Process.Start("mkfifo", [fifo])!.WaitForExit();
        var received = new MemoryStream();
        var reader = Task.Run(() =>
        {
            using var stream = new FileStream(fifo, FileMode.Open, FileAccess.Read);
            stream.CopyTo(received);
        });
        var lines = string.Concat(Enumerable.Range(1, 1000).Select(i => $"line {i}\n"));
        using (var writer = new ProcessLogWriter(LogTest.Settings(fifo, maxSize: 100, keep: 2), new LogTail()))
        {
            writer.Write(Encoding.UTF8.GetBytes(lines));
            writer.Flush();
        }
        await reader.WaitAsync(TimeSpan.FromSeconds(10)); // the reader saw the end of the pipe

        Assert.Equal(lines, Encoding.UTF8.GetString(received.ToArray()));
        Assert.False(File.Exists(fifo + ".1"));
        Assert.False(FileKind.IsRegularFile(fifo));
        Assert.True(File.Exists(fifo));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rotation_never_cuts_a_line(bool timestamps)
    {
        var file = _folder.File("app.log");
        var expected = Enumerable.Range(1, 20_000).Select(i => $"line {i} " + new string('y', i % 53)).ToArray();
        var bytes = Encoding.UTF8.GetBytes(string.Concat(expected.Select(l => l + "\n")));
        var random = new Random(7);
        var clock = new FakeClock(DateTimeOffset.UnixEpoch);

        using (var writer = new ProcessLogWriter(LogTest.Settings(file, maxSize: 10_000, keep: 1000, timestamps), new LogTail(), clock))
        {
            for (var offset = 0; offset < bytes.Length;)
            {
                var size = Math.Min(random.Next(1, 3000), bytes.Length - offset);
                writer.Write(bytes.AsSpan(offset, size));
                offset += size;
            }
        }

        // Every file ends with a whole line (LogTest.Lines checks) and together they hold every line once, in order.
        var lines = LogTest.AllLines(file, keep: 1000);
        if (timestamps)
            lines = lines.Select(l => l[(l.IndexOf(' ') + 1)..]).ToList();
        Assert.Equal(expected, lines);
        Assert.True(File.Exists($"{file}.1"));
        // A file is rotated at the first line end at or past max-size: at most one line beyond it.
        for (var i = 1; File.Exists($"{file}.{i}"); i++)
            Assert.InRange(new FileInfo($"{file}.{i}").Length, 10_000, 10_000 + 200);
    }

    [Fact]
    public void Rotation_keeps_the_newest_files_and_drops_the_oldest()
    {
        var file = _folder.File("app.log");
        using (var writer = new ProcessLogWriter(LogTest.Settings(file, maxSize: 100, keep: 2), new LogTail()))
        {
            // 10 bytes per line, 10 lines per file: lines 1-50 make five files, of which three remain.
            for (var i = 1; i <= 50; i++)
                writer.Write($"line {i:0000}\n");
        }

        Assert.Equal(Lines(41, 50), LogTest.Lines(file));
        Assert.Equal(Lines(31, 40), LogTest.Lines($"{file}.1"));
        Assert.Equal(Lines(21, 30), LogTest.Lines($"{file}.2"));
        Assert.False(File.Exists($"{file}.3"));
    }

    [Fact]
    public void Keep_zero_restarts_the_file_and_keeps_no_rotated_copies()
    {
        var file = _folder.File("app.log");
        using (var writer = new ProcessLogWriter(LogTest.Settings(file, maxSize: 100, keep: 0), new LogTail()))
        {
            for (var i = 1; i <= 25; i++)
                writer.Write($"line {i:0000}\n");
        }

        Assert.Equal(Lines(21, 25), LogTest.Lines(file));
        Assert.Equal(["app.log"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_line_longer_than_max_size_but_shorter_than_twice_it_is_written_whole()
    {
        var file = _folder.File("app.log");
        var long_ = new string('z', 180);
        using (var writer = new ProcessLogWriter(LogTest.Settings(file, maxSize: 100, keep: 3), new LogTail()))
        {
            writer.Write("before\n");
            writer.Write(long_[..60]);
            writer.Write(long_[60..] + "\nafter\n");
        }

        Assert.Equal(["after"], LogTest.Lines(file));
        Assert.Equal(["before", long_], LogTest.Lines($"{file}.1"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Output_without_line_ends_is_cut_at_twice_max_size_and_the_cut_is_marked_on_both_sides(bool timestamps)
    {
        // A progress bar: carriage returns, never a line end.
        var file = _folder.File("bar.log");
        var progress = string.Concat(Enumerable.Range(0, 400).Select(i => $"\r{i % 100,3}% [{new string('#', i % 20),-20}]"));
        var clock = new FakeClock(DateTimeOffset.UnixEpoch);
        using (var writer = new ProcessLogWriter(LogTest.Settings(file, maxSize: 1000, keep: 100, timestamps), new LogTail(), clock))
        {
            foreach (var piece in progress.Chunk(97))
                writer.Write(new string(piece));
        }

        var files = Enumerable.Range(1, 100).Select(i => $"{file}.{i}").Where(File.Exists).Reverse().Append(file).ToList();
        Assert.True(files.Count >= 5, $"{files.Count} files");
        var stamp = timestamps ? "1970-01-01T00:00:00.000Z " : "";
        var pieces = new List<string>();
        for (var i = 0; i < files.Count; i++)
        {
            var text = File.ReadAllText(files[i]);
            var bound = 2 * 1000 + stamp.Length + ProcessLogWriter.CutMarker.Length + ProcessLogWriter.ContinuedMarker.Length;
            Assert.InRange(text.Length, 1, bound);
            var start = i == 0 ? stamp : stamp + ProcessLogWriter.ContinuedMarker;
            Assert.StartsWith(start, text);
            text = text[start.Length..];
            if (i < files.Count - 1)
            {
                Assert.EndsWith(ProcessLogWriter.CutMarker, text);
                text = text[..^ProcessLogWriter.CutMarker.Length];
            }
            else
            {
                // The writer was closed mid-line: the last file ends as it was written.
                Assert.DoesNotContain("\n", text);
            }
            pieces.Add(text);
        }
        Assert.Equal(progress, string.Concat(pieces));
    }

    [Fact]
    public void A_log_file_that_cannot_be_reopened_after_rotation_is_reported_retried_and_nothing_is_lost()
    {
        var file = _folder.File("app.log");
        var moved = _folder.File("app.log.moved");
        var clock = new FakeClock(DateTimeOffset.UnixEpoch);
        using var writer = new ProcessLogWriter(LogTest.Settings(file, maxSize: 100, keep: 2), new LogTail(), clock);
        writer.Write(new string('a', 120) + "\n");
        writer.Flush();
        // Someone moves the file away and plants a folder at its path: rotation can neither shift nor reopen it.
        File.Move(file, moved);
        Directory.CreateDirectory(file);

        var failure = Assert.Throws<LogWriteException>(() => writer.Write("during 1\n"));
        Assert.Contains(file, failure.Message);
        Assert.Contains(file, writer.Error);
        // Reported once; until the path can be opened again, output goes on into the file it had open.
        writer.Write("during 2\n");
        clock.Advance(TimeSpan.FromSeconds(5));
        writer.Write("during 3\n");
        writer.Flush();
        Assert.Contains(file, writer.Error);
        Assert.Equal([new string('a', 120), "during 1", "during 2", "during 3"], LogTest.Lines(moved));

        Directory.Delete(file);
        clock.Advance(TimeSpan.FromSeconds(5));
        writer.Write("after\n");
        writer.Flush();

        Assert.Null(writer.Error);
        Assert.Equal(["after"], LogTest.Lines(file));
        Assert.Equal(4, LogTest.Lines(moved).Length);
    }

    [Fact]
    public void A_file_already_over_max_size_from_a_previous_run_is_rotated_on_the_first_line()
    {
        var file = _folder.File("app.log");
        File.WriteAllText(file, new string('o', 150) + "\n");

        using (var writer = new ProcessLogWriter(LogTest.Settings(file, maxSize: 100, keep: 1), new LogTail()))
            writer.Write("fresh\n");

        Assert.Equal(["fresh"], LogTest.Lines(file));
        Assert.Equal([new string('o', 150)], LogTest.Lines($"{file}.1"));
    }

    [Fact]
    public void A_log_moved_away_by_hand_is_started_anew_at_the_next_rotation_without_an_error()
    {
        var file = _folder.File("app.log");
        using var writer = new ProcessLogWriter(LogTest.Settings(file, maxSize: 100, keep: 2), new LogTail());
        writer.Write(new string('a', 120) + "\n");
        writer.Flush();
        File.Move(file, _folder.File("archived.log"));

        writer.Write("next\n");
        writer.Flush();

        Assert.Null(writer.Error);
        Assert.Equal(["next"], LogTest.Lines(file));
        Assert.Equal([new string('a', 120)], LogTest.Lines(_folder.File("archived.log")));
    }

    private static string[] Lines(int first, int last) =>
        Enumerable.Range(first, last - first + 1).Select(i => $"line {i:0000}").ToArray();
}
