using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary><c>actors logs</c> from the node's in-memory tails: history, merged view, follow.</summary>
public sealed class LogsCliSpec : RunningNodeSpec
{
    public LogsCliSpec()
    {
        Node.WriteConfig("""
                alpha { command = "/bin/sh", args = ["-c", "i=0; while true; do i=$((i+1)); echo alpha-$i; sleep 0.05; done"] }
                beta { command = "/bin/sh", args = ["-c", "i=0; while true; do i=$((i+1)); echo beta-$i; sleep 0.05; done"] }
                quiet { command = "/bin/sh", args = ["-c", "echo one; echo two; echo three; exec sleep 1000"] }
                pool { command = "/bin/sh", args = ["-c", "while true; do echo copy-$ACTORS_REPLICA; sleep 0.1; done"] }
            """);
    }

    /// <summary>The real command against the node, its stdout lines collected as they come.</summary>
    private (Process Cli, BlockingCollection<string> Lines) StartCli(params string[] args)
    {
        var info = new ProcessStartInfo(TestPaths.NodeCommand[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in TestPaths.NodeCommand.Skip(1).Concat(args).Concat(["--socket", Node.Socket])) info.ArgumentList.Add(arg);
        var cli = Process.Start(info)!;
        var lines = new BlockingCollection<string>();
        cli.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Add(e.Data); };
        cli.BeginOutputReadLine();
        return (cli, lines);
    }

    [Fact]
    public void Logs_of_one_process_are_its_last_lines_without_prefix()
    {
        Node.AwaitState("quiet", "running");
        var clock = Stopwatch.StartNew();
        CliResult result;
        do result = Node.Cli("logs", "quiet", "-n", "2");
        while (result.Out != "two\nthree\n" && clock.Elapsed < ControlledNode.Patience);
        Assert.Equal("two\nthree\n", result.Out);
    }

    [Fact]
    public void Logs_all_follow_run_as_a_real_command_shows_new_lines_from_two_processes_with_their_names()
    {
        var (cli, lines) = StartCli("logs", "--all", "-f", "-n", "0");
        using var _ = cli;
        try
        {
            var seen = new HashSet<string>();
            var clock = Stopwatch.StartNew();
            while (seen.Count < 2 && lines.TryTake(out var line, ControlledNode.Patience - clock.Elapsed))
            {
                Assert.Matches(@"^(alpha|beta |quiet|pool ) \| ", line);
                if (line.StartsWith("alpha | alpha-")) seen.Add("alpha");
                if (line.StartsWith("beta  | beta-")) seen.Add("beta");
            }
            Assert.Equal(["alpha", "beta"], seen.Order());
        }
        finally
        {
            cli.Kill();
            cli.WaitForExit();
        }
    }

    [Fact]
    public void Following_a_process_that_is_scaled_up_shows_the_new_copy_lines_with_names()
    {
        var (cli, lines) = StartCli("logs", "pool", "-f", "-n", "0");
        using var _ = cli;
        try
        {
            // One process: its lines as they are.
            Assert.True(lines.TryTake(out var first, ControlledNode.Patience), "no line of pool");
            Assert.Equal("copy-1", first);
            var scale = Node.Cli("scale", "pool", "2");
            Assert.True(scale.Code == 0, scale.ToString());

            // The new copy is followed too, and from then on every line says whose it is.
            var clock = Stopwatch.StartNew();
            var named = new List<string>();
            while (!named.Contains("pool-2 | copy-2") && lines.TryTake(out var line, ControlledNode.Patience - clock.Elapsed))
                if (line.Contains(" | ")) named.Add(line);
            Assert.Contains("pool-2 | copy-2", named);
            Assert.All(named, l => Assert.Matches(@"^(pool   \| copy-1|pool-2 \| copy-2)$", l));
        }
        finally
        {
            cli.Kill();
            cli.WaitForExit();
        }
    }

    [Fact]
    public void Status_watch_redraws_until_interrupted()
    {
        var info = TestPaths.Actors("status", "--watch", "--socket", Node.Socket);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var cli = Process.Start(info)!;
        var headers = new BlockingCollection<string>();
        cli.OutputDataReceived += (_, e) => { if (e.Data?.StartsWith("node pid ") == true) headers.Add(e.Data); };
        cli.BeginOutputReadLine();
        try
        {
            Assert.True(headers.TryTake(out _, ControlledNode.Patience), "first screen");
            Assert.True(headers.TryTake(out _, ControlledNode.Patience), "second screen");
            // Ctrl-C: it stops redrawing and exits 0.
            Assert.Equal(0, Actors.Native.LibC.kill(cli.Id, 2));
            Assert.True(cli.WaitForExit(ControlledNode.Patience), "status --watch still runs after SIGINT");
            cli.WaitForExit(); // drains the output
            Assert.Equal(0, cli.ExitCode);
        }
        finally
        {
            if (!cli.HasExited) cli.Kill();
            cli.WaitForExit();
        }
    }

    [Fact]
    public void Merged_history_is_ordered_by_time_and_prefixed()
    {
        // uptime-s is null until the process runs.
        Node.AwaitStatus("alpha", s => s.GetProperty("uptime-s") is { ValueKind: JsonValueKind.Number } u && u.GetDouble() > 0.5, "ran half a second");
        Node.AwaitStatus("beta", s => s.GetProperty("uptime-s") is { ValueKind: JsonValueKind.Number } u && u.GetDouble() > 0.5, "ran half a second");
        var result = Node.Cli("logs", "alpha", "beta", "-n", "10");
        Assert.Equal(0, result.Code);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("alpha | "));
        Assert.Contains(lines, l => l.StartsWith("beta  | "));
        // Within one process the lines stay in their order.
        var alpha = lines.Where(l => l.StartsWith("alpha")).Select(l => int.Parse(l.Split('-')[^1])).ToList();
        Assert.Equal(alpha.Order(), alpha);

        // Across the two processes, the time each line was read decides the order (--json shows it).
        var json = Node.Cli("logs", "alpha", "beta", "-n", "10", "--json");
        Assert.Equal(0, json.Code);
        var entries = json.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("line", out _)).ToList();
        Assert.Equal(10, entries.Count);
        Assert.Equal(["alpha", "beta"], entries.Select(e => e.GetProperty("name").GetString()).Distinct().Order());
        var times = entries.Select(e => DateTimeOffset.Parse(e.GetProperty("at").GetString()!)).ToList();
        Assert.Equal(times.Order(), times);
    }
}
