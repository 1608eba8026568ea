using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// <c>ready-log-line</c> on a real node: a shell that prints "listening on" once a file appears becomes ready on that
/// line, which starts its dependent; a restarted run waits for its own line again.
/// </summary>
public sealed class ReadyLogLineSpec : RunningNodeSpec
{
    private string GoFile => Path.Combine(Node.Dir, "go");

    public ReadyLogLineSpec()
    {
        var script = $"echo \"booting $$\"; while [ ! -e '{GoFile}' ]; do sleep 0.1; done; echo \"listening on :8080 ($$)\"; while true; do sleep 0.2; done";
        Node.WriteConfig($$"""
                svc { command = "/bin/sh", args = ["-c", "{{script.Replace("\"", "\\\"")}}"], ready-log-line = "listening on :[0-9]+" }
                web { {{ControlledNode.Sleeper}}, depends-on { svc = ready } }
            """);
    }

    [Fact]
    public void The_matching_line_makes_it_ready_and_starts_its_dependent()
    {
        Node.AwaitOutput("svc", "booting");
        var before = Node.Status("svc");
        Assert.Equal("running", before.GetProperty("state").GetString());
        var check = before.GetProperty("probes")[0];
        Assert.Equal(("readiness", "log-line"), (check.GetProperty("role").GetString(), check.GetProperty("type").GetString()));
        Assert.Equal("waiting", Node.State("web"));

        File.WriteAllText(GoFile, "");
        var ready = Node.AwaitState("svc", "ready");
        var pid = ready.GetProperty("pid").GetInt32();
        Assert.Equal($"ready-log-line: listening on :8080 ({pid})", ready.GetProperty("reason").GetString());
        Assert.True(ready.GetProperty("probes")[0].GetProperty("passing").GetBoolean());
        Node.AwaitState("web", "running");
    }

    [Fact]
    public void A_restarted_run_is_not_ready_until_it_prints_the_line_again()
    {
        File.WriteAllText(GoFile, "");
        var first = Node.AwaitState("svc", "ready").GetProperty("pid").GetInt32();
        File.Delete(GoFile);
        var restart = Node.Cli("restart", "svc");
        Assert.True(restart.Code == 0, restart.ToString());
        var second = Node.AwaitStatus("svc", s => s.GetProperty("pid") is { ValueKind: System.Text.Json.JsonValueKind.Number } p && p.GetInt32() != first,
            "ran a second time").GetProperty("pid").GetInt32();
        Node.AwaitOutput("svc", $"booting {second}");
        // The new run printed its first line and not the ready one: it runs, and is not ready.
        Assert.Equal("running", Node.State("svc"));

        File.WriteAllText(GoFile, "");
        var ready = Node.AwaitState("svc", "ready");
        Assert.Equal($"ready-log-line: listening on :8080 ({second})", ready.GetProperty("reason").GetString());
    }
}
