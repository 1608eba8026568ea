using System.Diagnostics;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary><c>actors wait</c> against a real node: a process that becomes ready, one that fails while awaited, one that never gets there.</summary>
public sealed class WaitCliSpec : RunningNodeSpec
{
    private string ReadyFile => Path.Combine(Node.Dir, "web-ready");

    public WaitCliSpec()
    {
        // web is ready once the test creates its file; doomed runs 2 s, then fails for good (restart = never) and
        // is never ready meanwhile; slow is never ready.
        Node.WriteConfig($$"""
                web { {{ControlledNode.Sleeper}}, probes.readiness { type = exec, command = "/bin/test", args = ["-f", "{{ReadyFile}}"], period = 200ms, failure-threshold = 1 } }
                doomed {
                  command = "/bin/sh", args = ["-c", "sleep 2; exit 3"], restart = never
                  probes.readiness { type = exec, command = "/bin/false", period = 200ms, failure-threshold = 1 }
                }
                slow { {{ControlledNode.Sleeper}}, probes.readiness { type = exec, command = "/bin/false", period = 200ms, failure-threshold = 1 } }
                plain { {{ControlledNode.Sleeper}} }
            """);
    }

    [Fact]
    public async Task Wait_returns_0_once_the_process_becomes_ready_and_shows_progress_meanwhile()
    {
        Node.AwaitState("web", "running");
        // The real executable, so its progress can be read while it waits.
        var info = TestPaths.Actors("wait", "web", "--until", "ready", "--timeout", "120s", "--socket", Node.Socket);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var wait = Process.Start(info)!;
        try
        {
            var stdout = wait.StandardOutput.ReadToEndAsync();
            // It reports web not ready yet before the file that makes it ready exists.
            var progress = await wait.StandardError.ReadLineAsync();
            Assert.Matches(@"^waiting for web: running \(\d", progress);
            Assert.False(wait.HasExited);
            File.WriteAllText(ReadyFile, "");
            Assert.True(wait.WaitForExit(ControlledNode.Patience), "wait did not return after web became ready");
            Assert.Equal(0, wait.ExitCode);
            Assert.Equal("web: ready\n", await stdout);
            Assert.Equal("ready", Node.State("web"));
        }
        finally
        {
            if (!wait.HasExited) wait.Kill();
        }
    }

    [Fact]
    public void Running_satisfies_ready_for_a_process_without_a_readiness_check()
    {
        var result = Node.Cli("wait", "plain", "--until", "ready", "--timeout", "60s");
        Assert.True(result.Code == 0, result.ToString());
        Assert.Equal("plain: running\n", result.Out);
    }

    [Fact]
    public void Wait_exits_1_as_soon_as_the_awaited_process_fails()
    {
        var clock = Stopwatch.StartNew();
        var result = Node.Cli("wait", "doomed", "--until", "ready", "--timeout", "300s");
        Assert.True(result.Code == 1, result.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(150), $"took {clock.Elapsed}, not at once");
        Assert.Contains("actors: doomed is failed (", result.Err);
        Assert.Contains("it will not be ready by itself", result.Err);
        Assert.Equal("failed", Node.State("doomed"));
    }

    [Fact]
    public void Wait_exits_124_at_the_timeout_naming_what_is_not_there()
    {
        Node.AwaitState("slow", "running");
        var clock = Stopwatch.StartNew();
        var result = Node.Cli("wait", "slow", "plain", "--until", "ready", "--timeout", "2s");
        Assert.True(result.Code == 124, result.ToString());
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2), $"gave up after {clock.Elapsed}");
        Assert.Contains("actors: timed out after 2s waiting for ready: slow is running", result.Err);
        Assert.DoesNotContain("plain is", result.Err);
    }

    [Fact]
    public void Bad_wait_arguments_exit_64_or_4_with_one_line()
    {
        var noUntil = Node.Cli("wait", "web");
        Assert.Equal(64, noUntil.Code);
        Assert.Contains("--until is required", noUntil.Err);
        var badState = Node.Cli("wait", "web", "--until", "up");
        Assert.Equal(64, badState.Code);
        Assert.Contains("--until up is not a state to wait for; use ready, running, completed, stopped or failed", badState.Err);
        var badTimeout = Node.Cli("wait", "web", "--until", "ready", "--timeout", "soon");
        Assert.Equal(64, badTimeout.Code);
        Assert.Contains("--timeout soon is not a duration", badTimeout.Err);
        var unknown = Node.Cli("wait", "nope", "--until", "ready");
        Assert.Equal(4, unknown.Code);
        Assert.Contains("no process named nope", unknown.Err);
    }
}
