using System.Text.RegularExpressions;
using Actors.Processes;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>The node as users run it: the real executable, real signals.</summary>
public sealed class NodeSpec : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60); // a busy machine: bounds for what must happen, hit only on failure
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-node-").FullName;

    private string Config(string body)
    {
        var path = Path.Combine(_dir, "node.conf");
        File.WriteAllText(path, body);
        return path;
    }

    private static int PidIn(string line) => int.Parse(Regex.Match(line, @"pid (\d+)").Groups[1].Value);

    private static List<int> GroupMembers(int pgid) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit))
            .Select(n => int.Parse(n!)).Where(pid => ProcStat.ReadProcessGroup(pid) == pgid && !ProcStat.IsZombie(pid)).ToList();

    /// <summary>Ctrl-C. (SIGHUP reloads instead: see ReloadSpec.)</summary>
    [Fact]
    public void Sigint_stops_the_children_too()
    {
        var config = Config("actors.processes.family { command = \"/bin/sh\", args = [\"-c\", \"sleep 1000 & wait\"] }\n");
        using var node = NodeProcess.Start(_dir, "run", config);
        int family = PidIn(node.AwaitLine("family: running", Patience));
        Assert.True(SpinWait.SpinUntil(() => GroupMembers(family).Count == 2, Patience), "the shell and its sleep");
        node.Signal(2);
        Assert.Equal(0, node.WaitForExit(Patience));
        Assert.Empty(GroupMembers(family));
    }

    [Fact]
    public void Sigterm_stops_every_child_and_grandchild_then_the_node_exits_0()
    {
        var config = Config("""
            actors.processes {
              family { command = "/bin/sh", args = ["-c", "sleep 1000 & sleep 1000 & wait"] }
              ticker { command = "/bin/sh", shell = off, args = ["-c", "while true; do echo tick; sleep 0.1; done"] }
            }
            """);
        using var node = NodeProcess.Start(_dir, "run", config);
        int family = PidIn(node.AwaitLine("family: running", Patience));
        int ticker = PidIn(node.AwaitLine("ticker: running", Patience));
        // The shell's two sleeps are in its group.
        Assert.True(SpinWait.SpinUntil(() => GroupMembers(family).Count == 3, Patience), "the shell and its two sleeps");

        node.Signal(15);
        Assert.Equal(0, node.WaitForExit(Patience));
        Assert.Empty(GroupMembers(family));
        Assert.Empty(GroupMembers(ticker));
        Assert.Contains("all processes stopped", node.Output);
        Assert.True(File.ReadAllLines(Path.Combine(_dir, ".actors", "logs", "ticker.log")).Contains("tick"));
        Assert.Contains("family: running", File.ReadAllText(Path.Combine(_dir, ".actors", "logs", "node.log")));
    }

    [Fact]
    public void Shutdown_timeout_bounds_the_stop_leaves_no_process_behind_and_the_node_exits_0()
    {
        var config = Config($$"""
            actors.node.shutdown-timeout = 2s
            actors.processes.stubborn {
              command = "{{TestPaths.DotnetHost}}"
              args = ["{{TestPaths.TestDummy}}", "ignore-sigterm"]
              stop.timeout = 60s
            }
            """);
        using var node = NodeProcess.Start(_dir, "run", config);
        int pid = PidIn(node.AwaitLine("stubborn: running", Patience));
        Assert.True(SpinWait.SpinUntil(() => File.Exists(Path.Combine(_dir, ".actors", "logs", "stubborn.log"))
            && File.ReadAllText(Path.Combine(_dir, ".actors", "logs", "stubborn.log")).Contains("ready"), Patience), "handlers installed");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        node.Signal(15);
        Assert.Equal(0, node.WaitForExit(Patience));
        // Well before the 60 s stop timeout: the node's own bound wins, and the group is killed on the way out.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Empty(GroupMembers(pid));
    }

    [Fact]
    public void An_invalid_config_starts_nothing_and_exits_2_naming_file_line_and_key()
    {
        var config = Config("actors.processes.web {\n  command = \"/bin/true\"\n  restart = sometimes\n}\n");
        using var node = NodeProcess.Start(_dir, "run", config);
        Assert.Equal(2, node.WaitForExit(Patience));
        Assert.Contains($"{config}:3: actors.processes.web.restart:", node.Output);
        Assert.DoesNotContain("   at ", node.Output);
    }

    [Fact]
    public void An_unusable_log_dir_is_one_clear_line_and_a_non_zero_exit()
    {
        File.WriteAllText(Path.Combine(_dir, "blocker"), "");
        var config = Config("actors.node.log-dir = \"blocker/logs\"\nactors.processes.a { command = \"/bin/true\" }\n");
        using var node = NodeProcess.Start(_dir, "run", config);
        Assert.Equal(1, node.WaitForExit(Patience));
        Assert.Contains("actors.node.log-dir", node.Output);
        Assert.Contains(Path.Combine(_dir, "blocker", "logs"), node.Output);
        Assert.DoesNotContain("   at ", node.Output);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
