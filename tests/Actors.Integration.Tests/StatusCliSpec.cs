using System.Text.Json;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>A node with crashing, stopped, healthy and TERM-ignoring processes, driven only through the CLI.</summary>
public sealed class StatusCliSpec : RunningNodeSpec
{
    public StatusCliSpec()
    {
        Node.WriteConfig($$"""
                healthy { {{ControlledNode.Sleeper}}, description = "sleeps in a loop" }
                crasher { command = "/bin/sh", args = ["-c", "echo crashing; exit 3"], backoff { min = 30s, max = 60s } }
                stubborn { command = "{{TestPaths.DotnetHost}}", args = ["{{TestPaths.TestDummy}}", "ignore-sigterm"], stop.timeout = 1s }
                parked { {{ControlledNode.Sleeper}} }
            """);
    }

    [Fact]
    public void Status_json_has_every_documented_field_with_reasons_and_trail()
    {
        Node.AwaitState("crasher", "backing-off");
        Assert.Equal(0, Node.Cli("stop", "parked").Code);

        var result = Node.Cli("status", "--json");
        var answeredBy = DateTimeOffset.UtcNow;
        Assert.Equal(0, result.Code);
        var root = result.Json;
        var node = root.GetProperty("node");
        Assert.Equal(Node.Process!.Pid, node.GetProperty("pid").GetInt32());
        Assert.Equal(Node.ConfigPath, node.GetProperty("config").GetString());
        Assert.True(node.GetProperty("uptime-s").GetDouble() > 0);
        Assert.False(string.IsNullOrEmpty(node.GetProperty("version").GetString()));

        var processes = root.GetProperty("processes").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(["healthy", "crasher", "stubborn", "parked"], processes.Keys);
        foreach (var p in processes.Values)
            foreach (var key in new[] { "name", "state", "pid", "uptime-s", "restarts", "last-exit", "next-start-in-s", "reason", "trail" })
                Assert.True(p.TryGetProperty(key, out _), $"{key} missing in {p}");

        var healthy = processes["healthy"];
        Assert.Equal("running", healthy.GetProperty("state").GetString());
        Assert.True(healthy.GetProperty("pid").GetInt32() > 0);
        Assert.Equal("sleeps in a loop", healthy.GetProperty("description").GetString());

        var crasher = processes["crasher"];
        Assert.Equal("backing-off", crasher.GetProperty("state").GetString());
        Assert.Equal(3, crasher.GetProperty("last-exit").GetProperty("code").GetInt32());
        Assert.Equal(JsonValueKind.Null, crasher.GetProperty("last-exit").GetProperty("signal").ValueKind);
        // Its first delay is backoff.min 30 s ± random-factor 20 %, counted from when it began backing off: what
        // is left plus what has passed is 24..36 s (plus the time this answer took to reach the test; the
        // lower bound allows for the millisecond rounding of the timestamps).
        var backingOffAt = DateTimeOffset.Parse(crasher.GetProperty("trail").EnumerateArray()
            .Last(t => t.GetProperty("state").GetString() == "backing-off").GetProperty("at").GetString()!);
        var delay = crasher.GetProperty("next-start-in-s").GetDouble() + (answeredBy - backingOffAt).TotalSeconds;
        Assert.InRange(delay, 24 - 0.1, 36 + 5);
        Assert.Contains("exited with code 3", crasher.GetProperty("reason").GetString());
        var trail = crasher.GetProperty("trail").EnumerateArray().Select(t => t.GetProperty("state").GetString()).ToList();
        Assert.Equal(["starting", "running", "backing-off"], trail);
        Assert.All(crasher.GetProperty("trail").EnumerateArray(), t => DateTimeOffset.Parse(t.GetProperty("at").GetString()!));

        var parked = processes["parked"];
        Assert.Equal("stopped", parked.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, parked.GetProperty("pid").ValueKind);
        Assert.Contains("stopped by request", parked.GetProperty("reason").GetString());
        Assert.Equal("SIGTERM", parked.GetProperty("last-exit").GetProperty("signal").GetString());
    }

    [Fact]
    public void Human_status_is_a_table_and_names_show_their_trail()
    {
        Node.AwaitState("crasher", "backing-off");
        var table = Node.Cli("status");
        Assert.Equal(0, table.Code);
        var lines = table.Out.Split('\n');
        Assert.StartsWith("node pid ", lines[0]);
        Assert.Matches(@"^NAME\s+STATE\s+PID\s+UPTIME\s+RESTARTS\s+LAST EXIT\s+REASON", lines[1]);
        Assert.Matches(@"^crasher\s+backing-off \d", lines.Single(l => l.StartsWith("crasher")));
        Assert.DoesNotContain("\e[", table.Out); // no colour when not a terminal

        var one = Node.Cli("status", "crasher");
        Assert.Equal(3, one.Out.Split('\n').Count(l => l.StartsWith("  20"))); // three trail entries with timestamps
        Assert.DoesNotContain("healthy", one.Out);
    }

    [Fact]
    public void A_TERM_ignoring_process_is_stopped_by_SIGKILL_after_its_timeout()
    {
        Node.AwaitOutput("stubborn", "ready"); // its SIGTERM handler is in place
        var stop = Node.Cli("stop", "stubborn");
        Assert.Equal(0, stop.Code);
        Assert.Equal("stubborn: stopped\n", stop.Out);
        var status = Node.Status("stubborn");
        Assert.Equal("SIGKILL", status.GetProperty("last-exit").GetProperty("signal").GetString());
        Assert.Contains(status.GetProperty("trail").EnumerateArray(), t =>
            t.GetProperty("state").GetString() == "stopping" && t.GetProperty("reason").GetString()!.Contains("SIGKILL after 1s"));
    }

    [Fact]
    public void Unknown_process_exits_4_and_names_the_known_ones()
    {
        foreach (var verb in new[] { "status", "stop", "start", "restart", "logs" })
        {
            var result = Node.Cli(verb, "nope");
            Assert.True(result.Code == 4, $"{verb}: {result}");
            Assert.Contains("no process named nope; known: healthy, crasher, stubborn, parked", result.Err);
        }
    }

    [Fact]
    public async Task No_node_exits_3_with_the_path_it_tried()
    {
        var missing = Path.Combine(Node.Dir, "missing.sock");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await Actors.Node.Cli.RunAsync(["status", "--socket", missing], stdout, stderr);
        Assert.Equal(3, code);
        Assert.Equal($"actors: no node is listening on {missing} (start one with 'actors run')\n", stderr.ToString());
    }

    [Fact]
    public void The_socket_is_0600_in_a_0700_folder()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Node.Socket));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(Node.Socket)!));
    }

    [Fact]
    public void Signal_reaches_the_process_and_a_wrong_name_is_a_clear_usage_error()
    {
        Node.AwaitState("healthy", "running");
        var pid = Node.Pid("healthy")!.Value;
        var sent = Node.Cli("signal", "healthy", "SIGUSR1");
        Assert.Equal(0, sent.Code);
        Assert.Equal($"healthy: SIGUSR1 sent to pid {pid}\n", sent.Out);
        // sh's default action for USR1 is to die: the supervisor sees the signal as the exit.
        Node.AwaitStatus("healthy", s => s.GetProperty("last-exit") is { ValueKind: JsonValueKind.Object } e && e.GetProperty("signal").GetString() == "SIGUSR1", "died of SIGUSR1");

        var wrong = Node.Cli("signal", "healthy", "SIGFOO");
        Assert.Equal(64, wrong.Code);
        Assert.Contains("unknown signal 'SIGFOO'", wrong.Err);

        Node.Cli("stop", "parked");
        var refused = Node.Cli("signal", "parked", "HUP");
        Assert.Equal(1, refused.Code);
        Assert.Contains("parked: ", refused.Err);
        Assert.Contains("not running", refused.Err);
    }
}
