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
    public void A_line_longer_than_max_size_is_written_whole_in_a_file_of_its_own()
    {
        var file = _folder.File("app.log");
        var huge = new string('z', 1000);
        using (var writer = new ProcessLogWriter(LogTest.Settings(file, maxSize: 100, keep: 3), new LogTail()))
        {
            writer.Write("before\n");
            writer.Write(huge[..300]);
            writer.Write(huge[300..] + "\nafter\n");
        }

        Assert.Equal(["after"], LogTest.Lines(file));
        Assert.Equal(["before", huge], LogTest.Lines($"{file}.1"));
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

    private static string[] Lines(int first, int last) =>
        Enumerable.Range(first, last - first + 1).Select(i => $"line {i:0000}").ToArray();
}
