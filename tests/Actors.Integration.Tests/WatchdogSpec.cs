using System.Diagnostics;
using System.Text.RegularExpressions;
using Actors.Processes;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// Issue 11, item 6: a watchdog that stops reading (SIGSTOP, starved) or dies never stalls the node; the node
/// replaces it, tells the new one every current group, and the new one still kills the children when the node
/// is SIGKILLed.
/// </summary>
public sealed class WatchdogSpec : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // A one-page pipe to the watchdog (an internal knob): a stopped watchdog fills it after about 100 starts.
    private static readonly Dictionary<string, string> SmallPipe = new() { ["ACTORS_WATCHDOG_PIPE_BYTES"] = "4096" };

    private const string Looper = "looper { command = \"/bin/sh\", args = [\"-c\", \"exit 1\"], " +
                                  "backoff { min = 0s, max = 0s }, start-limit { burst = 1000000, interval = 1s } }";
    private const string Sleeper = "sleeper { command = \"/bin/sh\", args = [\"-c\", \"sleep 1000 & wait\"] }";

    private readonly ControlledNode _node = new();
    // Every watchdog the test saw (pid, start time): a stopped one is continued and killed at the end.
    private readonly List<(int Pid, long StartTime)> _watchdogs = new();
    private string? _marker;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public void A_stopped_watchdog_never_stalls_restarts_is_replaced_and_the_replacement_kills_every_child_of_a_SIGKILLed_node()
    {
        _node.WriteConfig($"    {Looper}\n    {Sleeper}");
        var node = _node.Start(SmallPipe).Process!;
        var first = FirstWatchdog(node);
        Signal(first, "STOP");

        // About 40 bytes per start ("+pid start looper", "-pid start"): 300 starts are three full pipes; a node that
        // blocked on the pipe would stop at the first. (600 once took more than 3 minutes at load 40: 3 starts a second.)
        int before = Restarts("looper");
        var clock = Stopwatch.StartNew();
        while (Restarts("looper") < before + 300) // each call is also a `status` that answered
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3),
                $"the crash loop stalled at {Restarts("looper") - before} restarts after the watchdog was stopped\n{node.Output}");
            node.AwaitNextLine(TimeSpan.FromMilliseconds(200));
        }
        var second = Replacement(node, first);
        node.AwaitLine($"the watchdog (pid {first}) has read nothing", Patience);

        AssertSIGKILLOfTheNodeLeavesNoChild(node);
    }

    [Fact]
    public void A_killed_watchdog_is_replaced_at_once_and_the_replacement_kills_every_child_of_a_SIGKILLed_node()
    {
        // Nothing starts or stops after the kill: the node notices the death itself, not on its next write.
        _node.WriteConfig($"    {Sleeper}\n    {Sleeper.Replace("sleeper", "other")}");
        var node = _node.Start().Process!;
        _node.AwaitState("other", "running");
        var first = FirstWatchdog(node);
        Signal(first, "KILL");

        node.AwaitLine($"the watchdog (pid {first}) is gone", Patience);
        Replacement(node, first);
        Assert.Equal("running", _node.State("sleeper"));

        AssertSIGKILLOfTheNodeLeavesNoChild(node);
    }

    [Fact]
    public void A_replaced_watchdog_that_is_resumed_kills_none_of_the_nodes_children()
    {
        _node.WriteConfig($"    {Looper}\n    {Sleeper}");
        var node = _node.Start(SmallPipe).Process!;
        var sleeper = _node.AwaitState("sleeper", "running").GetProperty("pid").GetInt32();
        var first = FirstWatchdog(node);
        Signal(first, "STOP");
        Replacement(node, first);

        Signal(first, "CONT");
        Assert.True(SpinWait.SpinUntil(() => !IsLive(first), Patience), $"the replaced watchdog {first} still runs");

        var status = _node.Status("sleeper");
        Assert.Equal("running", status.GetProperty("state").GetString());
        Assert.Equal(sleeper, status.GetProperty("pid").GetInt32());
        Assert.Equal(0, status.GetProperty("restarts").GetInt32());
        Assert.Equal(2, ProcessGroups.CountLiveMembers([sleeper])[sleeper]); // the shell and its sleep
        Assert.DoesNotContain("actors watchdog: node pid", node.Output);
    }

    private int Restarts(string name) => _node.Status(name).GetProperty("restarts").GetInt32();

    private int FirstWatchdog(NodeProcess node)
    {
        var line = node.AwaitLine("kills the children if this node dies", Patience);
        _marker = NodeMarker.Entry(node.Pid, ProcStat.ReadStartTime(node.Pid)!.Value);
        return Remember(int.Parse(Regex.Match(line, @"watchdog pid (\d+)").Groups[1].Value));
    }

    private int Replacement(NodeProcess node, int old)
    {
        var line = node.AwaitLine($"replaces pid {old}", Patience);
        return Remember(int.Parse(Regex.Match(line, @"watchdog pid (\d+) replaces").Groups[1].Value));
    }

    private int Remember(int pid)
    {
        // Only a watchdog is remembered (and later signalled): its command line names the program.
        var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
        Assert.Contains(WatchdogProgram.FileName, cmdline);
        _watchdogs.Add((pid, ProcStat.ReadStartTime(pid)!.Value));
        return pid;
    }

    private void Signal(int pid, string signal)
    {
        var (_, start) = _watchdogs.Single(w => w.Pid == pid);
        if (ProcStat.Matches(pid, start)) Process.Start("kill", [$"-{signal}", pid.ToString()])!.WaitForExit();
    }

    private bool IsLive(int pid) => _watchdogs.Single(w => w.Pid == pid) is var (_, start) && ProcStat.Matches(pid, start) && !ProcStat.IsZombie(pid);

    private void AssertSIGKILLOfTheNodeLeavesNoChild(NodeProcess node)
    {
        Assert.NotEmpty(MarkedProcesses());
        node.Signal(9);
        node.WaitForExit(Patience);
        Assert.True(SpinWait.SpinUntil(() => MarkedProcesses().Count == 0, Patience),
            $"left behind: {string.Join(", ", MarkedProcesses())}\n{node.Output}");
        Assert.Contains("actors watchdog: node pid", node.Output);
    }

    /// <summary>Live processes (zombies aside) that carry this node's marker: its children and what they started.</summary>
    private List<int> MarkedProcesses()
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(_marker! + "\0");
        var inner = System.Text.Encoding.UTF8.GetBytes("\0" + _marker! + "\0");
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var environ = File.ReadAllBytes($"/proc/{pid}/environ");
                if ((environ.AsSpan().StartsWith(needle) || environ.AsSpan().IndexOf(inner) >= 0) && !ProcStat.IsZombie(pid)) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return found;
    }

    public Task DisposeAsync()
    {
        _node.Dispose(); // the node and what still descends from it
        foreach (var (pid, _) in _watchdogs)
        {
            Signal(pid, "CONT");
            Signal(pid, "KILL");
        }
        if (_marker is not null) foreach (var pid in MarkedProcesses()) Process.Start("kill", ["-KILL", pid.ToString()])!.WaitForExit();
        return Task.CompletedTask;
    }
}
