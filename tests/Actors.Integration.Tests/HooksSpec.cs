using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// <c>hooks.pre-start</c> and <c>hooks.post-stop</c> on a real node, with real commands: a failing pre-start is a
/// failed start (backoff, then the start limit) and the main process never runs; post-stop runs after a crash and
/// after <c>actors stop</c> with the run's exit in ACTORS_EXIT_CODE / ACTORS_EXIT_SIGNAL; hook output is in the log,
/// prefixed.
/// </summary>
public sealed class HooksSpec : RunningNodeSpec
{
    private string Recorder(string file) =>
        $$"""command = "/bin/sh", args = ["-c", "echo \"exit=$ACTORS_EXIT_CODE signal=$ACTORS_EXIT_SIGNAL\" | tee -a '{{Path.Combine(Node.Dir, file)}}'"]""";

    public HooksSpec()
    {
        Node.WriteConfig($$"""
                prep {
                  {{ControlledNode.Sleeper}}
                  hooks.pre-start { command = "/bin/sh", args = ["-c", "echo preparing; echo no disk >&2; exit 1"] }
                  backoff { min = 100ms, max = 200ms, random-factor = 0 }
                  start-limit { burst = 3, interval = 10m }
                }
                crash {
                  command = "/bin/sh", args = ["-c", "echo crashing; exit 3"], restart = never
                  hooks.post-stop { {{Recorder("crash-post.txt")}} }
                }
                svc {
                  {{ControlledNode.Sleeper}}
                  hooks.post-stop { {{Recorder("svc-post.txt")}} }
                }
                daemonizing {
                  {{ControlledNode.Sleeper}}
                  hooks.pre-start { command = "/bin/sh", args = ["-c", "setsid sleep 1000 & echo $! > '{{Path.Combine(Node.Dir, "hook-daemon.pid")}}'"] }
                }
            """);
    }

    [Fact]
    public void A_pre_start_hook_that_exits_1_backs_off_until_the_start_limit_and_the_process_never_runs()
    {
        var failed = Node.AwaitState("prep", "failed");
        var reason = failed.GetProperty("reason").GetString()!;
        Assert.Contains("start limit hit: 3 starts", reason);
        Assert.Contains("pre-start hook exited with code 1: no disk", reason);
        var states = failed.GetProperty("trail").EnumerateArray().Select(t => t.GetProperty("state").GetString()).ToList();
        Assert.Equal(2, states.Count(s => s == "backing-off"));
        Assert.DoesNotContain("running", states);
        var log = Node.Cli("logs", "prep", "-n", "100").Out.Split('\n');
        Assert.Equal(3, log.Count(l => l == "[pre-start] preparing"));
        Assert.Equal(3, log.Count(l => l == "[pre-start] no disk"));
    }

    [Fact]
    public void What_a_pre_start_hook_started_outside_its_group_is_killed_when_the_hook_ends()
    {
        Node.AwaitState("daemonizing", "running"); // after the hook ended
        var daemon = int.Parse(File.ReadAllText(Path.Combine(Node.Dir, "hook-daemon.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        // The pid may be reused by the time it is read: it counts as the daemon only while it is a sleep 1000 in its own session.
        static bool DaemonAlive(int pid) =>
            global::Actors.Processes.ProcStat.ReadGroupAndLiveness(pid) is { Live: true } && ReadCmdline(pid) == "sleep\01000\0";
        Assert.True(SpinWait.SpinUntil(() => !DaemonAlive(daemon), ControlledNode.Patience), $"the hook's setsid'd sleep (pid {daemon}) outlived the hook");
    }

    private static string ReadCmdline(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline"); }
        catch (IOException) { return ""; }
    }

    [Fact]
    public void Post_stop_runs_after_a_crash_with_ACTORS_EXIT_CODE_and_its_output_is_in_the_log_prefixed()
    {
        var failed = Node.AwaitState("crash", "failed");
        Assert.Contains("exited with code 3", failed.GetProperty("reason").GetString());
        // The run's end is reported once its post-stop hook is done: the file is complete by now.
        Assert.Equal("exit=3 signal=\n", File.ReadAllText(Path.Combine(Node.Dir, "crash-post.txt")));
        var log = Node.Cli("logs", "crash").Out;
        Assert.Contains("crashing\n[post-stop] exit=3 signal=", log);
    }

    [Fact]
    public void Post_stop_runs_after_actors_stop_with_ACTORS_EXIT_SIGNAL_before_the_stop_returns()
    {
        Node.AwaitState("svc", "running");
        var stop = Node.Cli("stop", "svc");
        Assert.True(stop.Code == 0, stop.ToString());
        Assert.Equal("exit= signal=TERM\n", File.ReadAllText(Path.Combine(Node.Dir, "svc-post.txt")));
    }
}
