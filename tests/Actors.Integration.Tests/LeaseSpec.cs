using System.Text.RegularExpressions;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// Two real nodes (own state-dirs, one lease folder) declare the same leased process. The process appends
/// "TOKEN start PID TIME" / "TOKEN stop PID TIME" to a shared fencing log (TIME: its own wall clock, seconds), so
/// the test sees who ran it, in which order, under which token, and that two copies never overlapped.
/// </summary>
public sealed class LeaseSpec : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60); // a busy machine: bounds for what must happen, hit only on failure
    private const int SIGTERM = 15, SIGSTOP = 19, SIGCONT = 18;
    private readonly string _root = Directory.CreateTempSubdirectory("actors-lease-it-").FullName;
    private readonly List<NodeProcess> _nodes = new();
    private string FenceLog => Path.Combine(_root, "fence.log");

    public LeaseSpec()
    {
        File.WriteAllText(Path.Combine(_root, "guarded.sh"), """
            echo "$ACTORS_LEASE_TOKEN start $$ $(date +%s.%N)" >> "$1"
            trap 'echo "$ACTORS_LEASE_TOKEN stop $$ $(date +%s.%N)" >> "$1"; exit 0' TERM
            while true; do sleep 1 & wait $!; done
            """);
    }

    private NodeProcess StartNode(string name)
    {
        var dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        var config = Path.Combine(dir, "node.conf");
        File.WriteAllText(config, $$"""
            actors.processes.guarded {
              command = "/bin/sh", args = ["../guarded.sh", "{{FenceLog}}"]
              lease { name = guarded, folder = "../leases", heartbeat-interval = 200ms, ttl = 4s }
            }
            """);
        var node = NodeProcess.Start(dir, "run", config);
        _nodes.Add(node);
        return node;
    }

    private static int PidIn(string line) => int.Parse(Regex.Match(line, @"pid (\d+)").Groups[1].Value);

    /// <summary>(token, what, pid) of every line of the fencing log.</summary>
    private List<(long Token, string What, int Pid)> Fence() => Timed().Select(l => (l.Token, l.What, l.Pid)).ToList();

    /// <summary>Every whole line of the fencing log with the time the process wrote it.</summary>
    private List<(long Token, string What, int Pid, decimal Time)> Timed() =>
        (File.Exists(FenceLog) ? File.ReadAllLines(FenceLog) : []).Select(l => l.Split(' ')).Where(p => p.Length == 4)
            .Select(p => (long.Parse(p[0]), p[1], int.Parse(p[2]), decimal.Parse(p[3], System.Globalization.CultureInfo.InvariantCulture))).ToList();

    /// <summary>Each copy ran from its start line to its stop line: no copy started before the one before it stopped.</summary>
    private void AssertNoOverlap()
    {
        var timed = Timed();
        var runs = timed.Where(l => l.What == "start")
            .Select(start => (start.Token, Start: start.Time, Stop: timed.FirstOrDefault(l => l.What == "stop" && l.Pid == start.Pid).Time))
            .ToList();
        foreach (var (earlier, later) in runs.Zip(runs.Skip(1)))
            Assert.True(earlier.Stop != 0 && earlier.Stop <= later.Start,
                $"token {earlier.Token} ran {earlier.Start}..{(earlier.Stop == 0 ? "?" : earlier.Stop)}, token {later.Token} started at {later.Start}");
    }

    private List<(long Token, string What, int Pid)> AwaitFence(Func<List<(long Token, string What, int Pid)>, bool> condition, string what)
    {
        List<(long, string, int)> lines = [];
        Assert.True(SpinWait.SpinUntil(() => condition(lines = Fence()), Patience), $"{what}; fence log: {string.Join(" | ", lines)}");
        return lines;
    }

    private static bool IsGone(int pid) => Actors.Processes.ProcStat.ReadStartTime(pid) is null || Actors.Processes.ProcStat.IsZombie(pid);

    /// <summary>A process's start time in seconds since boot: /proc/PID/stat field 22, in USER_HZ (100 on Linux).</summary>
    private static double SecondsSinceBoot(int pid) => Actors.Processes.ProcStat.ReadStartTime(pid)!.Value / 100.0;

    private static double UptimeSeconds() =>
        double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static void AssertTokensIncrease(List<(long Token, string What, int Pid)> fence)
    {
        var starts = fence.Where(l => l.What == "start").Select(l => l.Token).ToList();
        Assert.True(starts.Zip(starts.Skip(1)).All(p => p.First < p.Second), $"start tokens not strictly increasing: {string.Join(", ", starts)}");
    }

    [Fact]
    public void Exactly_one_node_runs_it_and_a_graceful_node_stop_hands_it_over_with_a_higher_token()
    {
        var a = StartNode("a");
        var first = PidIn(a.AwaitLine("guarded: running", Patience));
        var b = StartNode("b");
        Assert.Contains("(token 1)", b.AwaitLine("guarded: waiting (waiting for lease guarded held by", Patience));
        Assert.Single(Fence(), l => l.What == "start");

        a.Signal(SIGTERM);
        Assert.Equal(0, a.WaitForExit(Patience));
        var second = PidIn(b.AwaitLine("guarded: running", Patience));
        var fence = AwaitFence(f => f.Count(l => l.What == "start") == 2, "b starts its copy");
        Assert.True(IsGone(first));
        // a's copy stopped (and said so) before b's started.
        Assert.Equal([(1L, "start", first), (1L, "stop", first), (2L, "start", second)], fence);
        AssertTokensIncrease(fence);
        AssertNoOverlap();
    }

    [Fact]
    public void A_frozen_holders_copy_is_stopped_by_its_watchdog_before_the_other_node_takes_over_and_the_thawed_node_waits()
    {
        var a = StartNode("a");
        var first = PidIn(a.AwaitLine("guarded: running", Patience));
        var b = StartNode("b");
        b.AwaitLine("guarded: waiting (waiting for lease guarded held by", Patience);

        // a can do nothing now; its watchdog, a process of its own, stops a's copy before the TTL lets b take over.
        a.Signal(SIGSTOP);
        var second = PidIn(b.AwaitLine("guarded: running", Patience));
        AwaitFence(f => f.Any(l => l is { What: "start", Token: 2 }), "b starts its copy under token 2");
        Assert.True(IsGone(first), "a's copy is gone while a is still frozen");
        Assert.Contains($"sent signal 15 to the process group of guarded (pid {first})", a.AwaitLine("did not confirm lease guarded in time", Patience));
        // Its own stop line (the stop signal, within the grace) comes before b's copy's start line.
        Assert.Equal([(1L, "start", first), (1L, "stop", first), (2L, "start", second)], Fence());
        AssertNoOverlap();

        // Thawed, a learns its holding is gone and waits for the lease: it does not start a copy of its own.
        a.Signal(SIGCONT);
        Assert.Contains("(token 2)", a.AwaitLine("guarded: waiting (waiting for lease guarded held by", Patience));
        Assert.False(IsGone(second));
        var fence = Fence();
        Assert.Equal([1L, 2L], fence.Where(l => l.What == "start").Select(l => l.Token));
        AssertTokensIncrease(fence);
    }

    [Fact]
    public void A_holder_killed_with_SIGKILL_takes_its_copy_along_and_its_watchdog_frees_the_lease_for_the_other_node()
    {
        var a = StartNode("a");
        var first = PidIn(a.AwaitLine("guarded: running", Patience));
        var b = StartNode("b");
        b.AwaitLine("guarded: waiting (waiting for lease guarded held by", Patience);

        a.Signal(9);
        // The watchdog kills a's copy at once, and then marks a's holding released: b need not wait for the TTL.
        Assert.True(SpinWait.SpinUntil(() => IsGone(first), Patience), "a's copy died with its node");
        var firstGoneBy = UptimeSeconds(); // a's copy died at this moment or before
        var second = PidIn(b.AwaitLine("guarded: running", Patience));
        // Never two copies at once: b's copy was started (its start time, from /proc) after a's was gone.
        var secondStarted = SecondsSinceBoot(second);
        Assert.True(secondStarted >= firstGoneBy, $"b's copy started at {secondStarted:F2} s since boot, a's was still there at {firstGoneBy:F2} s");
        Assert.Contains("(token 2; was released (token 1))", b.AwaitLine("lease guarded acquired by", Patience));
        var fence = AwaitFence(f => f.Count(l => l.What == "start") == 2, "b starts its copy");
        Assert.Equal([(1L, "start", first), (2L, "start", second)], fence);
        AssertTokensIncrease(fence);
    }

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Signal(SIGCONT);
            node.Signal(SIGTERM);
        }
        foreach (var node in _nodes)
        {
            try { node.WaitForExit(Patience); } catch (TimeoutException) { }
            node.Dispose();
        }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
