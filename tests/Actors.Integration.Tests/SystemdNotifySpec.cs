using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// <c>actors run</c> under a NOTIFY_SOCKET, with this test playing systemd: READY=1 only once every process reached
/// its start state, STATUS= counts, WATCHDOG=1 pings, RELOADING=1 around a reload, STOPPING=1 at shutdown.
/// </summary>
public sealed class SystemdNotifySpec : IAsyncLifetime, IDisposable
{
    private readonly ControlledNode _node = new();
    private readonly NotifyListener _systemd;
    private string ReadyFile => Path.Combine(_node.Dir, "db-ready");

    public SystemdNotifySpec()
    {
        _systemd = new NotifyListener(Path.Combine(_node.Dir, "notify.sock"));
        // db is ready once the test says so; web waits for it; probe records what a child sees of NOTIFY_SOCKET.
        _node.WriteConfig($$"""
                db { {{ControlledNode.Sleeper}}, probes.readiness { type = exec, command = "/bin/test", args = ["-f", "{{ReadyFile}}"], period = 200ms, failure-threshold = 1 } }
                web { {{ControlledNode.Sleeper}}, depends-on { db = ready } }
                env { command = "/bin/sh", args = ["-c", "echo notify=${NOTIFY_SOCKET:-unset} watchdog=${WATCHDOG_USEC:-unset}; exec sleep 600"] }
            """);
    }

    public Task InitializeAsync()
    {
        _node.Start(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = _systemd.Path, ["WATCHDOG_USEC"] = "2000000" });
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _node.Dispose();
        _systemd.Dispose();
    }

    [Fact]
    public void READY_comes_only_after_every_process_reached_its_start_state()
    {
        _node.AwaitState("db", "running");
        _node.AwaitState("web", "waiting");
        _node.AwaitState("env", "running");
        // Everything else has settled: only db's readiness (and so web) is missing. Give the node time to say
        // something wrong: its STATUS= line for this situation must have come, and no READY=1.
        var line = _systemd.AwaitLine("STATUS=starting: 3 processes: 2 running, 1 waiting", ControlledNode.Patience);
        Assert.DoesNotContain(_systemd.Messages, m => m.Split('\n').Contains("READY=1"));

        File.WriteAllText(ReadyFile, "");
        var ready = _systemd.AwaitLine("READY=1", ControlledNode.Patience, skip: line);
        // At that moment db was ready and web had started, not merely stopped waiting.
        Assert.Equal("ready", _node.State("db"));
        Assert.Equal("running", _node.State("web"));
        Assert.Contains("STATUS=3 processes: 2 running, 1 ready", _systemd.Messages[ready].Split('\n'));
        Assert.Single(_systemd.Times("READY=1"));
    }

    [Fact]
    public void Watchdog_pings_come_every_half_WATCHDOG_USEC()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(Poll.Until(() => _systemd.Times("WATCHDOG=1").Count >= 4, ControlledNode.Patience, 100),
            $"WATCHDOG=1 pings: {_systemd.Times("WATCHDOG=1").Count} in {clock.Elapsed}");
        var times = _systemd.Times("WATCHDOG=1");
        // Every 1 s (half of 2 s); on a busy machine later, but never so late that systemd would kill the node.
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, gap => Assert.InRange(gap.TotalSeconds, 0.5, 2.0));
    }

    [Fact]
    public void Children_do_not_inherit_the_nodes_notify_socket()
    {
        _node.AwaitOutput("env", "notify=");
        Assert.Contains("notify=unset watchdog=unset", _node.Cli("logs", "env").Out);
    }

    [Fact]
    public void A_reload_is_framed_by_RELOADING_and_READY()
    {
        File.WriteAllText(ReadyFile, "");
        var ready = _systemd.AwaitLine("READY=1", ControlledNode.Patience);
        var reload = _node.Cli("reload");
        Assert.True(reload.Code == 0, reload.ToString());
        var reloading = _systemd.AwaitLine("RELOADING=1", ControlledNode.Patience, skip: ready + 1);
        Assert.Contains(_systemd.Messages[reloading].Split('\n'), l => l.StartsWith("MONOTONIC_USEC="));
        var back = _systemd.AwaitLine("READY=1", ControlledNode.Patience, skip: reloading + 1);
        Assert.Contains("STATUS=reloaded: 0 added, 0 removed, 0 changed", _systemd.Messages[back].Split('\n'));
    }

    [Fact]
    public void SIGTERM_sends_STOPPING_before_the_node_exits()
    {
        _node.AwaitState("env", "running");
        _node.Process!.Signal(15);
        _systemd.AwaitLine("STOPPING=1", ControlledNode.Patience);
        Assert.Equal(0, _node.Process.WaitForExit(ControlledNode.Patience));
    }
}
