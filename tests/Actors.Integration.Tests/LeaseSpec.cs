using System.Text.RegularExpressions;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// Two real nodes (own state-dirs, one lease folder) declare the same leased process. The process appends
/// "TOKEN start PID" / "TOKEN stop PID" to a shared fencing log, so the test sees who ran it, in which order,
/// under which token.
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
            echo "$ACTORS_LEASE_TOKEN start $$" >> "$1"
            trap 'echo "$ACTORS_LEASE_TOKEN stop $$" >> "$1"; exit 0' TERM
            while true; do sleep 0.1; done
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
              lease { name = guarded, folder = "../leases", heartbeat-interval = 200ms, ttl = 2s }
            }
            """);
        var node = NodeProcess.Start(dir, "run", config);
        _nodes.Add(node);
        return node;
    }

    private static int PidIn(string line) => int.Parse(Regex.Match(line, @"pid (\d+)").Groups[1].Value);

    /// <summary>(token, what, pid) of every line of the fencing log.</summary>
    private List<(long Token, string What, int Pid)> Fence() =>
        (File.Exists(FenceLog) ? File.ReadAllLines(FenceLog) : []).Select(l => l.Split(' '))
            .Select(p => (long.Parse(p[0]), p[1], int.Parse(p[2]))).ToList();

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
    }

    [Fact]
    public void A_frozen_holder_loses_it_after_the_ttl_and_kills_its_copy_when_it_wakes()
    {
        var a = StartNode("a");
        var first = PidIn(a.AwaitLine("guarded: running", Patience));
        var b = StartNode("b");
        b.AwaitLine("guarded: waiting (waiting for lease guarded held by", Patience);

        // a stops heartbeating; after the TTL b takes over. (A frozen node cannot stop its own children:
        // the fencing token is what tells the two copies apart.)
        a.Signal(SIGSTOP);
        var second = PidIn(b.AwaitLine("guarded: running", Patience));
        AwaitFence(f => f.Any(l => l is { What: "start", Token: 2 }), "b starts its copy under token 2");

        a.Signal(SIGCONT);
        Assert.Contains("lease lost", a.AwaitLine("guarded: stopping (lease lost", Patience));
        Assert.True(SpinWait.SpinUntil(() => IsGone(first), Patience), "a killed its copy once it woke up");
        Assert.Contains($"held by", a.AwaitLine("guarded: waiting (waiting for lease guarded held by", Patience));
        Assert.False(IsGone(second));

        var fence = Fence();
        Assert.Equal([1L, 2L], fence.Where(l => l.What == "start").Select(l => l.Token));
        // a's copy was SIGKILLed: no "stop" line of token 1.
        Assert.DoesNotContain(fence, l => l.What == "stop");
        AssertTokensIncrease(fence);
    }

    [Fact]
    public void A_holder_killed_with_SIGKILL_takes_its_copy_along_and_the_other_node_runs_it_after_the_ttl()
    {
        var a = StartNode("a");
        var first = PidIn(a.AwaitLine("guarded: running", Patience));
        var b = StartNode("b");
        b.AwaitLine("guarded: waiting (waiting for lease guarded held by", Patience);

        a.Signal(9);
        // The watchdog kills a's copy at once; the lease only frees up after its TTL.
        Assert.True(SpinWait.SpinUntil(() => IsGone(first), Patience), "a's copy died with its node");
        var firstGoneBy = UptimeSeconds(); // a's copy died at this moment or before
        var second = PidIn(b.AwaitLine("guarded: running", Patience));
        // Never two copies at once: b's copy was started (its start time, from /proc) after a's was gone.
        var secondStarted = SecondsSinceBoot(second);
        Assert.True(secondStarted >= firstGoneBy, $"b's copy started at {secondStarted:F2} s since boot, a's was still there at {firstGoneBy:F2} s");
        var fence = AwaitFence(f => f.Count(l => l.What == "start") == 2, "b starts its copy");
        Assert.Equal([(1L, "start", first), (2L, "start", second)], fence);
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
