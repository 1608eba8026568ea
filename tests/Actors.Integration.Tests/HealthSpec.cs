using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// Probes and jobs on a real node with real processes: an http readiness endpoint, a heartbeat file that stops,
/// a SIGSTOPped service, a job cut at its run timeout (exit 124), and the curl preset's classes.
/// </summary>
public sealed class HealthSpec : IDisposable
{
    private readonly ControlledNode _node = new();

    public void Dispose() => _node.Dispose();

    private static string Dummy(params string[] args) =>
        $"command = \"{TestPaths.DotnetHost}\", args = [{string.Join(", ", new[] { TestPaths.TestDummy }.Concat(args).Select(a => $"\"{a}\""))}]";


    private static string State(JsonElement s) => s.GetProperty("state").GetString()!;

    private static IEnumerable<string> Trail(JsonElement s) =>
        s.GetProperty("trail").EnumerateArray().Select(t => $"{t.GetProperty("state").GetString()}: {t.GetProperty("reason").GetString()}");

    [Fact]
    public void A_real_http_readiness_endpoint_drives_the_ready_state()
    {
        using var held = FreePorts.Hold(); // until the test ends: the dummy binds it (again at each restart)
        var port = held.Port;
        var readyFile = Path.Combine(_node.Dir, "ready");
        _node.WriteConfig($$"""
            web {
              {{Dummy("serve-http", port.ToString(), "--ready-file", readyFile)}}
              probes.readiness { type = http, url = "http://127.0.0.1:{{port}}/health", period = 200ms, timeout = 1s, failure-threshold = 1 }
            }
            """);
        _node.Start();
        // Its first check may come before it listens (connection refused); then it answers 503.
        var notReady = _node.AwaitStatus("web", s => s.GetProperty("probes")[0].GetProperty("last-check").GetString() == "HTTP 503", "answered 503");
        Assert.Equal("running", State(notReady));
        Assert.Contains(Trail(notReady), t => t.StartsWith("running: not ready yet: readiness: "));
        File.WriteAllText(readyFile, "");
        var ready = _node.AwaitState("web", "ready");
        Assert.Equal("readiness: HTTP 200", ready.GetProperty("reason").GetString());
        var probe = ready.GetProperty("probes")[0];
        Assert.Equal(("readiness", "http", true), (probe.GetProperty("role").GetString(), probe.GetProperty("type").GetString(), probe.GetProperty("passing").GetBoolean()));
        File.Delete(readyFile);
        var again = _node.AwaitState("web", "running");
        Assert.StartsWith("not ready: readiness: HTTP 503", again.GetProperty("reason").GetString());
        Assert.Equal(0, again.GetProperty("restarts").GetInt32());
    }

    [Fact]
    public void A_heartbeat_file_that_stops_restarts_the_process()
    {
        var beat = Path.Combine(_node.Dir, "beat");
        _node.WriteConfig($$"""
            agent {
              {{Dummy("heartbeat", beat, "100", "--stop-after", "1000")}}
              probes.liveness { type = heartbeat-file, path = "{{beat}}", max-age = 600ms, period = 200ms, failure-threshold = 2, initial-delay = 500ms }
            }
            """);
        _node.Start();
        // The first run's pid from the node's log: on a busy machine a status poll may see only a later run.
        var first = int.Parse(System.Text.RegularExpressions.Regex.Match(
            _node.Process!.AwaitLine("agent: running (pid ", ControlledNode.Patience), @"pid (\d+)").Groups[1].Value);
        var restarted = _node.AwaitStatus("agent", s => s.GetProperty("restarts").GetInt32() >= 1, "was restarted");
        var reason = Trail(restarted).First(t => t.StartsWith("stopping: liveness:"));
        Assert.Contains("old, max-age 600ms", reason);
        Assert.NotEqual(first, _node.AwaitState("agent", "running").GetProperty("pid").GetInt32());
    }

    [Fact]
    public void A_sigstopped_service_is_restarted_within_period_times_threshold_plus_timeout()
    {
        using var held = FreePorts.Hold(); // until the test ends: the dummy binds it (again at each restart)
        var port = held.Port;
        _node.WriteConfig($$"""
            web {
              {{Dummy("serve-http", port.ToString())}}
              backoff.min = 0s
              # Liveness only once it listens: a .NET dummy may take seconds to start on a busy machine.
              probes.startup { type = tcp, port = {{port}}, period = 200ms, timeout = 1s, failure-threshold = 300 }
              probes.liveness { type = http, url = "http://127.0.0.1:{{port}}/", period = 500ms, timeout = 300ms, failure-threshold = 2 }
            }
            """);
        _node.Start();
        var healthy = _node.AwaitStatus("web", s => s.GetProperty("probes").EnumerateArray().Single(p => p.GetProperty("role").GetString() == "liveness").GetProperty("passing").ValueKind == JsonValueKind.True, "passed its liveness probe");
        var (pid, restartsBefore) = (healthy.GetProperty("pid").GetInt32(), healthy.GetProperty("restarts").GetInt32());
        var stoppedAt = DateTimeOffset.UtcNow;
        Process.Start("kill", ["-STOP", pid.ToString()])!.WaitForExit();
        // (A busy machine may have restarted it before already: counted from here.)
        var restarted = _node.AwaitStatus("web", s => s.GetProperty("restarts").GetInt32() > restartsBefore && State(s) is "running" or "ready", "was restarted");
        Assert.NotEqual(pid, restarted.GetProperty("pid").GetInt32());
        var stopping = restarted.GetProperty("trail").EnumerateArray()
            .Last(t => t.GetProperty("state").GetString() == "stopping");
        Assert.StartsWith("liveness: timed out after 300ms (2 in a row)", stopping.GetProperty("reason").GetString());
        // Found (the node's own timestamp of its decision) period × failure-threshold + timeout = 1.3 s after the
        // SIGSTOP, with room for a busy machine's late timers; the restart itself is not counted.
        var found = DateTimeOffset.Parse(stopping.GetProperty("at").GetString()!) - stoppedAt;
        Assert.True(found < TimeSpan.FromSeconds(1.3 + 2.5), $"found after {found}");
        Assert.False(Directory.Exists($"/proc/{pid}"), $"the stopped process {pid} is still there");
    }

    [Fact]
    public void A_job_killed_at_its_run_timeout_is_recorded_as_exit_124()
    {
        var pidFile = Path.Combine(_node.Dir, "slow.pid");
        _node.WriteConfig($$"""
            slow { kind = job, command = "/bin/sh", args = ["-c", "echo $$ > '{{pidFile}}'; exec sleep 60"], timeout.run = 2s, retry.max-attempts = 1 }
            """);
        _node.Start();
        // Its pid from the job itself: on a busy machine the run may be over before a status poll sees it running.
        var failed = _node.AwaitState("slow", "failed");
        var pid = int.Parse(File.ReadAllText(pidFile).Trim());
        Assert.Equal(124, failed.GetProperty("last-exit").GetProperty("code").GetInt32());
        Assert.Contains("timed out after 2s (timeout.run)", failed.GetProperty("reason").GetString());
        Assert.Contains("out of attempts (1 of 1)", failed.GetProperty("reason").GetString());
        Assert.False(Directory.Exists($"/proc/{pid}"), $"the timed-out process {pid} is still there");
    }

    [Fact]
    public void A_curl_preset_job_exiting_22_is_not_retried_while_one_exiting_28_is()
    {
        _node.WriteConfig($$"""
            notfound { kind = job, {{Dummy("exit", "22")}}, retry { preset = curl, backoff = "100ms..100ms" } }
            timedout { kind = job, {{Dummy("exit", "28")}}, retry { preset = curl, backoff = "100ms..100ms", max-attempts = 3 } }
            """);
        _node.Start();
        var notFound = _node.AwaitState("notfound", "failed");
        Assert.Contains("code 22 is permanent (curl preset): not retried", notFound.GetProperty("reason").GetString());
        Assert.Equal(1, Trail(notFound).Count(t => t.StartsWith("starting:")));
        var timedOut = _node.AwaitState("timedout", "failed");
        Assert.Contains("code 28 is transient (curl preset); out of attempts (3 of 3)", timedOut.GetProperty("reason").GetString());
        Assert.Equal(3, Trail(timedOut).Count(t => t.StartsWith("starting:")));
        Assert.Contains(Trail(timedOut), t => t.Contains("code 28 is transient (curl preset); attempt 2 of 3 in"));
    }
}
