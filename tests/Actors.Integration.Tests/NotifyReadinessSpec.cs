using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// <c>readiness = notify</c> on a real node: the child gets its own NOTIFY_SOCKET, and READY=1 from it (the
/// TestDummy speaks sd_notify's protocol) makes it ready, gates its dependents, and ends an <c>actors wait</c>.
/// </summary>
public sealed class NotifyReadinessSpec : RunningNodeSpec
{
    private string GoFile => Path.Combine(Node.Dir, "go");

    public NotifyReadinessSpec()
    {
        Node.WriteConfig($$"""
                svc { command = "{{TestPaths.DotnetHost}}", args = ["{{TestPaths.TestDummy}}", "notify-ready", "--when-file", "{{GoFile}}"], readiness = notify }
                web { {{ControlledNode.Sleeper}}, depends-on { svc = ready } }
            """);
    }

    [Fact]
    public async Task READY_1_from_the_child_makes_it_ready_and_starts_its_dependents()
    {
        // Before READY=1: running, its STATUS= shown on the notify readiness check, and web waits for it. The child's
        // STATUS= can be seen before the launch's report moves svc from starting to running (on a loaded machine the
        // child's message came first, once in CI): both are awaited, and READY=1 is sent only after.
        var before = Node.AwaitStatus("svc", s => s.GetProperty("probes")[0].GetProperty("last-check").GetString() == "warming up"
            && s.GetProperty("state").GetString() == "running", "running, and sent its STATUS=");
        var check = before.GetProperty("probes")[0];
        Assert.Equal(("readiness", "notify"), (check.GetProperty("role").GetString(), check.GetProperty("type").GetString()));
        Assert.Equal("waiting", Node.State("web"));
        var wait = Node.CliAsync("wait", "svc", "web", "--until", "ready", "--timeout", "120s");

        File.WriteAllText(GoFile, "");
        var ready = Node.AwaitState("svc", "ready");
        Assert.Equal("readiness: READY=1 (serving)", ready.GetProperty("reason").GetString());
        Assert.True(ready.GetProperty("probes")[0].GetProperty("passing").GetBoolean());
        Node.AwaitState("web", "running");
        var waited = await wait.WaitAsync(ControlledNode.Patience);
        Assert.True(waited.Code == 0, waited.ToString());
    }

    [Fact]
    public void Each_run_gets_its_own_socket_and_starts_not_ready_again()
    {
        File.WriteAllText(GoFile, "");
        Node.AwaitState("svc", "ready");
        var restart = Node.Cli("restart", "svc");
        Assert.True(restart.Code == 0, restart.ToString());
        // The new run says READY=1 at once (the file exists): ready again, through running.
        var again = Node.AwaitStatus("svc", s => s.GetProperty("state").GetString() == "ready" && s.GetProperty("restarts").GetInt32() >= 0
            && s.GetProperty("trail").EnumerateArray().Count(t => t.GetProperty("state").GetString() == "ready") == 2, "ready a second time");
        var trail = again.GetProperty("trail").EnumerateArray().Select(t => t.GetProperty("state").GetString()).ToList();
        Assert.Equal(["running", "ready"], trail.TakeLast(2));
        var sockets = Node.Cli("logs", "svc", "-n", "100").Out;
        Assert.Equal(2, sockets.Split('\n').Count(l => l.Contains("sent READY=1 STATUS=serving")));
    }
}
