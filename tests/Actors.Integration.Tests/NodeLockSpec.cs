using Actors.Native;
using System.Text.RegularExpressions;
using Actors.Leases;
using Actors.Node.Leases;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>One node per state-dir, with real nodes: refusal with the holder's details, takeover, --replace.</summary>
public sealed class NodeLockSpec : IDisposable
{
    private readonly ControlledNode _node = new();
    private string LockPath => Path.Combine(_node.Dir, ".actors", "node.lock");

    public NodeLockSpec()
    {
        File.WriteAllText(_node.ConfigPath, $$"""
            actors.node { lock { heartbeat-interval = 100ms, stale-after = 1s }, shutdown-timeout = 5s }
            actors.processes.web { {{ControlledNode.Sleeper}} }
            """);
    }

    public void Dispose() => _node.Dispose();

    [Fact]
    public void A_second_node_on_the_same_state_dir_exits_5_naming_the_holder()
    {
        _node.Start();
        using var second = NodeProcess.Start(_node.Dir, "run", _node.ConfigPath);
        Assert.Equal(5, second.WaitForExit(ControlledNode.Patience));
        Assert.Matches(new Regex($@"another node holds {Regex.Escape(LockPath)}: pid {_node.Process!.Pid} on \S+, up \d+s, heartbeat \d+s ago"), second.Output);
        Assert.Equal("running", _node.State("web"));

        var status = _node.Cli("status", "--json").Json.GetProperty("node").GetProperty("lock");
        Assert.Equal(LockPath, status.GetProperty("path").GetString());
        Assert.InRange(status.GetProperty("heartbeat-age-s").GetDouble(), 0, 5);
    }

    [Fact]
    public void Two_nodes_started_together_leave_exactly_one_running()
    {
        for (var round = 0; round < 3; round++)
        {
            using var a = NodeProcess.Start(_node.Dir, "run", _node.ConfigPath);
            using var b = NodeProcess.Start(_node.Dir, "run", _node.ConfigPath);
            var (winner, loser) = WhichExits(a, b);
            Assert.Equal(5, loser.WaitForExit(ControlledNode.Patience));
            winner.AwaitLine("control API listening", ControlledNode.Patience);
            winner.Signal(15);
            Assert.Equal(0, winner.WaitForExit(ControlledNode.Patience));
        }
    }

    [Fact]
    public void A_lock_left_by_a_killed_node_is_taken_over_at_once_and_the_takeover_logged()
    {
        _node.Start();
        var first = _node.Process!.Pid;
        _node.Process.Signal(9);
        _node.Process.WaitForExit(ControlledNode.Patience);
        _node.Start();
        Assert.Contains($"taken over: previous holder pid {first} on", _node.Process.Output);
        Assert.Equal("running", _node.AwaitState("web", "running").GetProperty("state").GetString());
    }

    [Fact]
    public void A_hung_holder_is_reported_and_replace_stops_it_and_takes_over()
    {
        _node.Start();
        var hung = _node.Process!;
        hung.Signal(19); // SIGSTOP: alive, but no more heartbeats
        Assert.True(SpinWait.SpinUntil(() => HeartbeatAge() > TimeSpan.FromSeconds(1.5), ControlledNode.Patience), "the heartbeat aged");

        using var refused = NodeProcess.Start(_node.Dir, "run", _node.ConfigPath);
        Assert.Equal(5, refused.WaitForExit(ControlledNode.Patience));
        Assert.Contains("looks hung", refused.Output);

        using var replacer = NodeProcess.Start(_node.Dir, "run", "--replace", _node.ConfigPath);
        replacer.AwaitLine("control API listening", ControlledNode.Patience);
        Assert.Equal(0, hung.WaitForExit(ControlledNode.Patience)); // SIGCONT + SIGTERM: an orderly stop
        Assert.Contains($"taken over: replaced the node pid {hung.Pid}", replacer.Output);
    }

    private TimeSpan HeartbeatAge() =>
        NodeLockHolder.Parse(SmallFiles.ReadFile(LockPath)) is { } holder ? DateTimeOffset.UtcNow - holder.Heartbeat : TimeSpan.Zero;

    /// <summary>Waits for one of two racing nodes to exit: it is the loser.</summary>
    private static (NodeProcess Winner, NodeProcess Loser) WhichExits(NodeProcess a, NodeProcess b)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < ControlledNode.Patience)
        {
            if (a.HasExited) return (b, a);
            if (b.HasExited) return (a, b);
            a.AwaitNextLine(TimeSpan.FromMilliseconds(50));
        }
        throw new TimeoutException($"neither node exited; outputs:\n{a.Output}\n---\n{b.Output}");
    }
}
