using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// <c>log.stderr = separate</c> and <c>log.truncate-on-start</c> on a real node: stderr in NAME.err.log and
/// stdout in NAME.log, both in <c>actors logs</c>; a restarted process starts with an empty log and tail.
/// </summary>
public sealed class LogOptionsNodeSpec : RunningNodeSpec
{
    private string LogFile(string name) => Path.Combine(Node.Dir, ".actors", "logs", name);

    public LogOptionsNodeSpec()
    {
        Node.WriteConfig("""
                split { command = "/bin/sh", args = ["-c", "echo to-out; echo to-err >&2; echo out-again; while true; do sleep 0.2; done"], log.stderr = separate, ready-log-line = "^to-err$" }
                fresh { command = "/bin/sh", args = ["-c", "echo \"started $$\"; while true; do sleep 0.2; done"], log.truncate-on-start = on }
            """);
    }

    [Fact]
    public void Stderr_separate_writes_two_files_logs_shows_both_and_the_ready_line_is_found_in_stderr()
    {
        Node.AwaitOutput("split", "out-again");
        Node.AwaitOutput("split", "to-err");
        Assert.True(Poll.Until(() => File.ReadAllText(LogFile("split.log")) == "to-out\nout-again\n", ControlledNode.Patience),
            File.ReadAllText(LogFile("split.log")));
        Assert.True(Poll.Until(() => File.ReadAllText(LogFile("split.err.log")) == "to-err\n", ControlledNode.Patience),
            File.ReadAllText(LogFile("split.err.log")));
        var shown = Node.Cli("logs", "split").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["out-again", "to-err", "to-out"], shown.Order());
        // The ready-log-line is looked for in stderr as well.
        Assert.Equal("ready-log-line: to-err", Node.AwaitState("split", "ready").GetProperty("reason").GetString());
    }

    [Fact]
    public void Truncate_on_start_empties_the_file_and_the_tail_when_it_restarts()
    {
        var first = Node.AwaitStatus("fresh", s => s.GetProperty("pid").ValueKind == System.Text.Json.JsonValueKind.Number, "ran").GetProperty("pid").GetInt32();
        Assert.True(Poll.Until(() => File.ReadAllText(LogFile("fresh.log")) == $"started {first}\n", ControlledNode.Patience));
        var restart = Node.Cli("restart", "fresh");
        Assert.True(restart.Code == 0, restart.ToString());
        var second = Node.Pid("fresh")!.Value;
        Assert.NotEqual(first, second);
        Assert.True(Poll.Until(() => File.ReadAllText(LogFile("fresh.log")) == $"started {second}\n", ControlledNode.Patience),
            File.ReadAllText(LogFile("fresh.log")));
        Assert.Equal($"started {second}", Node.Cli("logs", "fresh").Out.Trim());
    }
}
