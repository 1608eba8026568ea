using System.Text.RegularExpressions;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// What bounds a hook on a real node: its timeout kills its group (a failed start for pre-start), a stop during a
/// pre-start hook kills it and starts nothing, and a node shutdown waits for post-stop hooks.
/// </summary>
public sealed partial class HookBoundsSpec : RunningNodeSpec
{
    private string SlowPostFile => Path.Combine(Node.Dir, "slow-post.txt");

    // The hook prints its pid, then becomes a long sleep (exec keeps the pid): the test can see it go.
    private const string SleepingHook = """command = "/bin/sh", args = ["-c", "echo \"hook $$\"; exec sleep 300"]""";

    public HookBoundsSpec()
    {
        Node.WriteConfig($$"""
                slowprep {
                  {{ControlledNode.Sleeper}}
                  hooks.pre-start { {{SleepingHook}}, timeout = 1s }
                  start-limit { burst = 1, interval = 10m }
                }
                waitprep {
                  {{ControlledNode.Sleeper}}
                  hooks.pre-start { {{SleepingHook}}, timeout = 10m }
                }
                slow {
                  {{ControlledNode.Sleeper}}
                  hooks.post-stop { command = "/bin/sh", args = ["-c", "sleep 1; echo \"done $ACTORS_EXIT_SIGNAL\" >> '{{SlowPostFile}}'"] }
                }
            """);
    }

    [GeneratedRegex(@"\[pre-start\] hook (\d+)")]
    private static partial Regex HookPid();

    private int HookPidOf(string name)
    {
        Node.AwaitOutput(name, "[pre-start] hook ");
        return int.Parse(HookPid().Match(Node.Cli("logs", name).Out).Groups[1].Value);
    }

    private static bool Gone(int pid) => !File.Exists($"/proc/{pid}/stat");

    [Fact]
    public void A_pre_start_hook_past_its_timeout_is_killed_and_is_a_failed_start()
    {
        var pid = HookPidOf("slowprep");
        var failed = Node.AwaitState("slowprep", "failed");
        var reason = failed.GetProperty("reason").GetString()!;
        Assert.Contains("pre-start hook timed out after 1s (its group was killed)", reason);
        Assert.Contains("start limit hit: 1 starts", reason);
        Assert.True(Poll.Until(() => Gone(pid), ControlledNode.Patience), $"the hook's sleep (pid {pid}) is still there");
    }

    [Fact]
    public void A_stop_during_the_pre_start_hook_kills_it_and_nothing_starts()
    {
        var pid = HookPidOf("waitprep");
        var starting = Node.Status("waitprep");
        Assert.Equal("starting", starting.GetProperty("state").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, starting.GetProperty("pid").ValueKind);
        var stop = Node.Cli("stop", "waitprep");
        Assert.True(stop.Code == 0, stop.ToString());
        var stopped = Node.Status("waitprep");
        Assert.Equal("stopped", stopped.GetProperty("state").GetString());
        Assert.Contains("stopped during its pre-start hook, before it started", stopped.GetProperty("reason").GetString());
        Assert.True(Poll.Until(() => Gone(pid), ControlledNode.Patience), $"the hook's sleep (pid {pid}) is still there");
    }

    [Fact]
    public void Node_shutdown_waits_for_post_stop_hooks()
    {
        Node.AwaitState("slow", "running");
        Node.Process!.Signal(15);
        Assert.Equal(0, Node.Process.WaitForExit(ControlledNode.Patience));
        // The hook sleeps a second before it writes: a node that did not wait would have taken it down with it.
        Assert.Equal("done TERM\n", File.ReadAllText(SlowPostFile));
    }
}
