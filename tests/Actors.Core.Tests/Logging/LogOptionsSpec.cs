using System.Text;
using System.Text.RegularExpressions;
using Actors.Logging;
using Xunit;

namespace Actors.Core.Tests.Logging;

/// <summary>
/// What issue 15 adds to a process's log writer: the ready-log-line watch, emptying at start
/// (log.truncate-on-start), and a hook's prefixed lines, which are logged but never taken for the ready line.
/// </summary>
public sealed class LogOptionsSpec : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static readonly Regex Listening = new("listening on", RegexOptions.NonBacktracking);

    [Fact]
    public void The_watch_reports_the_first_matching_line_once_even_split_across_chunks()
    {
        var seen = new List<string>();
        using var writer = new ProcessLogWriter(LogTest.Settings(_folder.File("w.log")), new LogTail());
        writer.WatchForLine(Listening, seen.Add);
        writer.Write("starting\nlisten");
        Assert.Empty(seen);
        writer.Write("ing on :80\nlistening on :81\n");
        Assert.Equal(["listening on :80"], seen);
    }

    [Fact]
    public void A_line_left_unfinished_at_the_end_of_the_output_is_matched_when_it_is_ended()
    {
        var seen = new List<string>();
        using var writer = new ProcessLogWriter(LogTest.Settings(_folder.File("w.log")), new LogTail());
        writer.WatchForLine(Listening, seen.Add);
        writer.Write("listening on :80");
        Assert.Empty(seen);
        writer.CompletePartialLine();
        Assert.Equal(["listening on :80"], seen);
    }

    [Fact]
    public void A_matching_line_among_more_lines_than_the_tail_keeps_is_still_found()
    {
        var seen = new List<string>();
        using var writer = new ProcessLogWriter(LogTest.Settings(_folder.File("w.log")), new LogTail(capacity: 10));
        writer.WatchForLine(Listening, seen.Add);
        var chunk = "listening on :80\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"noise {i}\n"));
        writer.Write(chunk);
        Assert.Equal(["listening on :80"], seen);
    }

    [Fact]
    public void Rearming_the_watch_for_a_new_run_finds_that_run_s_line_again()
    {
        var seen = new List<string>();
        using var writer = new ProcessLogWriter(LogTest.Settings(_folder.File("w.log")), new LogTail());
        writer.WatchForLine(Listening, line => seen.Add("run 1: " + line));
        writer.Write("listening on a\n");
        writer.WatchForLine(Listening, line => seen.Add("run 2: " + line));
        writer.Write("listening on b\n");
        Assert.Equal(["run 1: listening on a", "run 2: listening on b"], seen);
    }

    [Fact]
    public void A_hook_s_prefixed_lines_go_to_file_and_tail_but_never_count_as_the_ready_line()
    {
        var seen = new List<string>();
        var file = _folder.File("h.log");
        var tail = new LogTail();
        using var writer = new ProcessLogWriter(LogTest.Settings(file), tail);
        writer.WatchForLine(Listening, seen.Add);
        var hook = new PrefixedLogSink(writer, "[pre-start] ");
        hook.Write("listening on nothing yet\nhalf"u8);
        hook.Write(" a line"u8);
        hook.CompletePartialLine();
        writer.Flush();
        Assert.Empty(seen);
        Assert.Equal(["[pre-start] listening on nothing yet", "[pre-start] half a line"], tail.Last(10).Select(l => l.Text));
        writer.Write("listening on :80\n");
        Assert.Equal(["listening on :80"], seen);
        writer.Flush();
        Assert.Equal("[pre-start] listening on nothing yet\n[pre-start] half a line\nlistening on :80\n", File.ReadAllText(file));
    }

    [Fact]
    public void Truncate_empties_the_file_and_the_tail_and_later_lines_follow_on()
    {
        var file = _folder.File("t.log");
        var tail = new LogTail();
        using var writer = new ProcessLogWriter(LogTest.Settings(file), tail);
        writer.Write("run 1 line a\nrun 1 line b\n");
        writer.Flush();
        var before = tail.LastSequence;
        writer.Truncate();
        Assert.Equal(0, new FileInfo(file).Length);
        Assert.Empty(tail.Last(10));
        writer.Write("run 2\n");
        writer.Flush();
        Assert.Equal("run 2\n", File.ReadAllText(file));
        var line = Assert.Single(tail.Last(10));
        Assert.Equal("run 2", line.Text);
        // A follower that saw run 1's last line gets run 2's first next: numbers go on, never reused.
        Assert.Equal(before + 1, line.Sequence);
        Assert.Equal(["run 2"], tail.Since(before).Select(l => l.Text));
    }

    [Fact]
    public void Truncate_keeps_the_rotated_files()
    {
        var file = _folder.File("r.log");
        using var writer = new ProcessLogWriter(LogTest.Settings(file, maxSize: 10, keep: 2), new LogTail());
        writer.Write("0123456789\nnext\n");
        writer.Flush();
        Assert.True(File.Exists(file + ".1"));
        writer.Truncate();
        Assert.Equal("0123456789\n", File.ReadAllText(file + ".1"));
        Assert.Equal(0, new FileInfo(file).Length);
    }

    [Fact]
    public void Truncate_of_dev_null_does_nothing()
    {
        using var writer = new ProcessLogWriter(LogTest.Settings("/dev/null"), new LogTail());
        writer.Write("x\n");
        writer.Truncate();
        writer.Write("y\n");
    }

    [Fact]
    public void Two_writers_feed_one_tail_in_the_order_lines_arrive()
    {
        var tail = new LogTail();
        using var stdout = new ProcessLogWriter(LogTest.Settings(_folder.File("o.log")), tail);
        using var stderr = new ProcessLogWriter(LogTest.Settings(_folder.File("o.err.log")), tail);
        stdout.Write("out 1\n");
        stderr.Write("err 1\n");
        stdout.Write("out 2\n");
        stdout.Flush();
        stderr.Flush();
        Assert.Equal(["out 1", "err 1", "out 2"], tail.Last(10).Select(l => l.Text));
        Assert.Equal("out 1\nout 2\n", File.ReadAllText(_folder.File("o.log")));
        Assert.Equal("err 1\n", File.ReadAllText(_folder.File("o.err.log")));
    }

    [Fact]
    public void With_stderr_separate_a_line_enters_the_shared_tail_when_it_is_complete_and_no_line_mixes_the_streams()
    {
        var tail = new LogTail();
        using var stdout = new ProcessLogWriter(LogTest.Settings(_folder.File("p.log")), tail);
        using var stderr = new ProcessLogWriter(LogTest.Settings(_folder.File("p.err.log")), tail);
        stdout.Write("out a, ");
        stderr.Write("err 1\nerr 2, ");
        stdout.Write("still out a\nout b\n");
        stderr.Write("still err 2\n");

        Assert.Equal(["err 1", "out a, still out a", "out b", "err 2, still err 2"], tail.Last(10).Select(l => l.Text));
        Assert.Equal([1L, 2L, 3L, 4L], tail.Last(10).Select(l => l.Sequence));
    }
}
