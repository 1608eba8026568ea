using System.Diagnostics;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Integration.Tests.Cluster;

/// <summary>
/// <c>placement = singleton</c> on three real nodes (<c>actors run</c>) on loopback that share a lease folder. The
/// singleton is the TestDummy's <c>fence</c> mode: it appends "TOKEN MONOTONIC-NS" to a shared file every 50 ms with
/// O_APPEND, TOKEN being the fencing token its node passed it, so the file itself proves who ran when. Each test
/// starts its own three nodes (each test takes one down) and stops every one of them when it is done, whatever
/// happened.
/// </summary>
public sealed class SingletonSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly List<ControlledNode> _nodes = [];
    private readonly string _shared = Directory.CreateTempSubdirectory("actors-singleton-").FullName;
    private string FencePath => Path.Combine(_shared, "fence.log");
    private readonly string _lease = "solo-" + Guid.NewGuid().ToString("N")[..8];

    private string Processes =>
        $"solo {{ command = \"{TestPaths.DotnetHost}\", args = [\"{TestPaths.TestDummy}\", \"fence\", \"{FencePath}\"], " +
        $"placement = singleton, lease {{ name = \"{_lease}\", folder = \"{Path.Combine(_shared, "leases")}\" }}, stop.timeout = 3s }}";

    public Task InitializeAsync()
    {
        var first = ThreeNodeCluster.StartNode(_nodes, "", Processes);
        var seed = ThreeNodeCluster.AddressOf(first);
        ThreeNodeCluster.StartNode(_nodes, $"seed-nodes = [\"{seed}\"]", Processes);
        ThreeNodeCluster.StartNode(_nodes, $"seed-nodes = [\"{seed}\"]", Processes);
        foreach (var node in _nodes)
            Assert.True(Poll.Until(() => node.Cli("members", "--json") is { Code: 0 } r && r.Json.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up") == 3,
                Bound, 200), $"the cluster never formed on {node.Dir}:\n{node.Process?.Output}");
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            // A frozen node must be able to die: SIGKILL reaches a stopped process, SIGCONT first all the same.
            if (node.Process is { HasExited: false } p) p.Signal(18);
            node.Dispose();
        }
        try
        {
            Directory.Delete(_shared, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }

    /// <summary>The state of solo on each node that still answers; nodes that do not answer are left out.</summary>
    private Dictionary<ControlledNode, string> States(IEnumerable<ControlledNode> nodes) =>
        nodes.Select(n => (n, r: n.Cli("status", "solo", "--json")))
            .Where(x => x.r.Code == 0)
            .ToDictionary(x => x.n, x => x.r.Json.GetProperty("processes")[0].GetProperty("state").GetString()!);

    private ControlledNode AwaitSingleHolder(IReadOnlyCollection<ControlledNode> nodes)
    {
        Dictionary<ControlledNode, string> states = [];
        Assert.True(Poll.Until(() =>
        {
            states = States(nodes);
            return states.Count == nodes.Count && states.Values.Count(s => s == "running") == 1 && states.Values.Count(s => s == "waiting") == nodes.Count - 1;
        }, Bound, 200), $"solo never ran on exactly one node with the others waiting: {string.Join(", ", states.Select(s => $"{s.Key.Dir}={s.Value}"))}\n{Outputs()}");
        return states.Single(s => s.Value == "running").Key;
    }

    private string Outputs() => string.Join("\n\n", _nodes.Select(n => $"--- {n.Dir}:\n{n.Process?.Output}"));

    private List<FenceLog.Line> ReadFence() => new FenceLog(FencePath).Read();

    private List<long> AssertNoOverlap(List<FenceLog.Line> lines) => FenceLog.AssertNoOverlap(lines, output);

    [Fact]
    public void The_singleton_runs_on_exactly_one_node_and_status_cluster_shows_where()
    {
        var holder = AwaitSingleHolder(_nodes);
        var where = ThreeNodeCluster.AddressOf(holder);
        foreach (var viewer in _nodes)
        {
            Dictionary<string, string> seen = [];
            Assert.True(Poll.Until(() =>
            {
                seen = viewer.Cli("status", "--cluster", "--json").Json.GetProperty("nodes").EnumerateArray().ToDictionary(
                    n => n.GetProperty("node").GetString()!,
                    n => n.GetProperty("processes").EnumerateArray().Where(p => p.GetProperty("name").GetString() == "solo")
                        .Select(p => p.GetProperty("state").GetString()!).SingleOrDefault() ?? "-");
                return seen.Count == 3 && seen[where] == "running" && seen.Where(kv => kv.Key != where).All(kv => kv.Value == "waiting");
            }, Bound, 200), $"status --cluster on {ThreeNodeCluster.AddressOf(viewer)}: {JsonSerializer.Serialize(seen)} (runs on {where})");
        }
        var waiting = _nodes.First(n => n != holder).Status("solo");
        Assert.Contains($"lease {_lease} held by", waiting.GetProperty("reason").GetString());
        AssertNoOverlap(ReadFence());
    }

    [Fact]
    public void Stop_and_start_of_the_singleton_asked_of_a_node_that_does_not_run_it_stop_it_everywhere_and_start_it_once()
    {
        var holder = AwaitSingleHolder(_nodes);
        var asker = _nodes.First(n => n != holder);
        var stop = asker.Cli("stop", "solo");
        Assert.True(stop.Code == 0, stop.ToString());
        Assert.All(_nodes, n => Assert.Equal("stopped", n.State("solo")));
        var stopped = ReadFence().Count;

        var start = asker.Cli("start", "solo");
        Assert.True(start.Code == 0, start.ToString());
        AwaitSingleHolder(_nodes);
        Assert.True(Poll.Until(() => ReadFence().Count > stopped, Bound, 100), "the singleton never wrote again after its start");
        var tokens = AssertNoOverlap(ReadFence());
        Assert.True(tokens.Count >= 2, $"a new holding after the stop and start: tokens {string.Join(", ", tokens)}");
    }

    [Fact]
    public void After_SIGKILL_of_the_holders_node_the_singleton_runs_on_another_node_and_never_twice()
    {
        var holder = AwaitSingleHolder(_nodes);
        var others = _nodes.Where(n => n != holder).ToList();
        var clock = Stopwatch.StartNew();
        holder.Process!.Signal(9);
        var next = AwaitSingleHolder(others);
        output.WriteLine($"solo ran on {next.Dir} {clock.Elapsed.TotalSeconds:0.0} s after SIGKILL of its node (by status, polled)");
        // The new copy has written: its lines are in the log after the old one's.
        Assert.True(Poll.Until(() => ReadFence().Select(l => l.Token).Distinct().Count() >= 2, Bound, 100), "the new copy never wrote its fencing line");
        AssertNoOverlap(ReadFence());
    }

    [Fact]
    public void After_SIGSTOP_of_the_holders_node_for_30_s_the_singleton_runs_elsewhere_and_the_thawed_node_runs_no_second_copy()
    {
        var holder = AwaitSingleHolder(_nodes);
        var frozen = holder.Process!;
        var oldToken = ReadFence()[^1].Token;
        var others = _nodes.Where(n => n != holder).ToList();
        var clock = Stopwatch.StartNew();
        frozen.Signal(19); // SIGSTOP
        try
        {
            var next = AwaitSingleHolder(others);
            output.WriteLine($"solo ran on {next.Dir} {clock.Elapsed.TotalSeconds:0.0} s after SIGSTOP of its node (by status, polled)");
            Assert.True(Poll.Until(() => ReadFence().Any(l => l.Token > oldToken), Bound, 100), "the new copy never wrote its fencing line");
            // Frozen for 30 s in all (the lease's ttl is 10 s, the cluster downs the silent node after about 13 s).
            var rest = TimeSpan.FromSeconds(30) - clock.Elapsed;
            if (rest > TimeSpan.Zero) Thread.Sleep(rest);
        }
        finally
        {
            frozen.Signal(18); // SIGCONT
        }
        // The thawed node learns it was downed and stops (or, if it is still about, waits): it never runs solo again.
        Assert.True(Poll.Until(() => frozen.HasExited || holder.Cli("status", "solo", "--json") is { Code: 0 } r
            && r.Json.GetProperty("processes")[0].GetProperty("state").GetString() is not ("running" or "starting" or "ready" or "stopping")
            && ReadFence().Count(l => l.Token > oldToken) > 40, Bound, 200), $"the thawed node:\n{frozen.Output}");
        // Long enough for a second copy to have shown in the log if the thawed node had started one.
        var settled = ReadFence().Count;
        Assert.True(Poll.Until(() => ReadFence().Count > settled + 40, Bound, 100), "the singleton stopped writing");
        var tokens = AssertNoOverlap(ReadFence());
        Assert.DoesNotContain(tokens, t => t < oldToken);
        var lines = ReadFence();
        Assert.True(lines.Last().Token > oldToken, "the singleton runs under a newer token at the end");
        Assert.Single(others, n => n.State("solo") == "running");
    }
}
