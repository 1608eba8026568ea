using System.Diagnostics;
using System.Text.Json;
using Actors.Processes;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Integration.Tests.Cluster;

/// <summary>
/// A real network partition of three real nodes (<c>actors run</c>), each in a network namespace of its own on a
/// private bridge (<see cref="NetworkNamespaces"/>): a cut drops every packet to and from one node (no RST), as when
/// its network fails, while the lease folder and the control sockets, which are files, stay shared. The singleton is
/// the TestDummy's <c>fence</c> mode, whose own log (<see cref="FenceLog"/>) proves who ran when. Default cluster and
/// lease settings (keep-majority). Each test starts its own namespaces and nodes and removes them all when done.
/// </summary>
public sealed class NetworkPartitionSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    // Each node has a namespace of its own: nothing else listens there, so a fixed port cannot clash.
    private const int Port = 4053;
    private NetworkNamespaces? _net;
    private int _cleanedUp;
    private readonly ControlledNode[] _nodes = [new(), new(), new()];
    private readonly string _shared = Directory.CreateTempSubdirectory("actors-netpart-").FullName;
    private readonly string _lease = "solo-" + Guid.NewGuid().ToString("N")[..8];
    private FenceLog Fence => new(Path.Combine(_shared, "fence.log"));

    private string Address(int node) => $"{_net!.Address(node)}:{Port}";

    private string Config(int node) =>
        "actors {\n" +
        $"  cluster {{ enabled = on, hostname = \"{_net!.Address(node)}\", port = {Port}, " +
        $"seed-nodes = [{string.Join(", ", Enumerable.Range(0, 3).Select(i => $"\"{Address(i)}\""))}] }}\n" +
        $"  processes {{\n    solo {{ command = \"{TestPaths.DotnetHost}\", args = [\"{TestPaths.TestDummy}\", \"fence\", \"{Fence.Path}\"], " +
        $"placement = singleton, lease {{ name = \"{_lease}\", folder = \"{Path.Combine(_shared, "leases")}\" }}, stop.timeout = 3s }}\n  }}\n}}\n";

    private void Start(int node) => _nodes[node].StartWrapped(info => _net!.Inside(node, info));

    public Task InitializeAsync()
    {
        try
        {
            _net = NetworkNamespaces.Create(3);
            // The same seed-nodes on every node, as on three machines: the first forms the cluster, the others join
            // it, and a node started again later joins whoever is up.
            for (int i = 0; i < 3; i++)
            {
                File.WriteAllText(_nodes[i].ConfigPath, Config(i));
                Start(i);
            }
            foreach (var i in Enumerable.Range(0, 3)) AwaitMembersUp(i, 3);
        }
        catch
        {
            CleanUp();
            throw;
        }
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        CleanUp();
        return Task.CompletedTask;
    }

    /// <summary>The nodes first (a namespace lives on while a process is inside), then the namespaces and the folder; once.</summary>
    private void CleanUp()
    {
        if (Interlocked.Exchange(ref _cleanedUp, 1) == 1) return;
        foreach (var node in _nodes) node.Dispose();
        _net?.Dispose();
        try
        {
            Directory.Delete(_shared, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void AwaitMembersUp(int node, int count)
    {
        var last = "";
        Assert.True(Poll.Until(() =>
        {
            var result = _nodes[node].Cli("members", "--json");
            last = result.ToString();
            return result.Code == 0 && result.Json.GetProperty("members").EnumerateArray()
                .Count(m => m.GetProperty("status").GetString() == "up" && m.GetProperty("reachable").GetBoolean()) == count
                && result.Json.GetProperty("members").GetArrayLength() == count;
        }, Bound, 200), $"node {Address(node)} never saw {count} members up and reachable; last:\n{last}\n{Outputs()}");
    }

    private string Outputs() => string.Join("\n\n", _nodes.Select((n, i) => $"--- node {i + 1} ({n.Dir}):\n{n.Process?.Output}"));

    /// <summary>The state of solo on each node that answers.</summary>
    private Dictionary<int, string> States(IEnumerable<int> nodes) =>
        nodes.Select(i => (i, r: _nodes[i].Cli("status", "solo", "--json")))
            .Where(x => x.r.Code == 0)
            .ToDictionary(x => x.i, x => x.r.Json.GetProperty("processes")[0].GetProperty("state").GetString()!);

    /// <summary>Waits until solo runs on exactly one of <paramref name="nodes"/> and waits on the others; returns that node.</summary>
    private int AwaitSingleHolder(IReadOnlyCollection<int> nodes)
    {
        Dictionary<int, string> states = [];
        Assert.True(Poll.Until(() =>
        {
            states = States(nodes);
            return states.Count == nodes.Count && states.Values.Count(s => s == "running") == 1 && states.Values.Count(s => s == "waiting") == nodes.Count - 1;
        }, Bound, 200), $"solo never ran on exactly one node with the others waiting: {string.Join(", ", states.Select(s => $"{Address(s.Key)}={s.Value}"))}\n{Outputs()}");
        return states.Single(s => s.Value == "running").Key;
    }

    /// <summary>solo's state on each node, as <c>status --cluster</c> on <paramref name="viewer"/> shows it.</summary>
    private Dictionary<string, string> ClusterView(int viewer) =>
        _nodes[viewer].Cli("status", "--cluster", "--json").Json.GetProperty("nodes").EnumerateArray().ToDictionary(
            n => n.GetProperty("node").GetString()!,
            n => n.GetProperty("processes").EnumerateArray().Where(p => p.GetProperty("name").GetString() == "solo")
                .Select(p => p.GetProperty("state").GetString()!).SingleOrDefault() ?? "-");

    /// <summary>Waits until <c>status --cluster</c> on <paramref name="viewer"/> shows exactly <paramref name="expected"/>.</summary>
    private void AwaitClusterView(int viewer, Dictionary<string, string> expected, string what)
    {
        Dictionary<string, string> seen = [];
        Assert.True(Poll.Until(() =>
        {
            seen = ClusterView(viewer);
            return seen.Count == expected.Count && expected.All(e => seen.GetValueOrDefault(e.Key) == e.Value);
        }, Bound, 200), $"status --cluster on {Address(viewer)} never showed {what}: expected {JsonSerializer.Serialize(expected)}, saw {JsonSerializer.Serialize(seen)}");
    }

    /// <summary>
    /// The node cut off ends by itself, as the README promises for a node the cluster removed: exit 1, saying why, so
    /// that its service manager starts it again.
    /// </summary>
    private void AssertTheCutOffNodeStopsWithExit1(int node)
    {
        var process = _nodes[node].Process!;
        Assert.Equal(1, process.WaitForExit(Bound));
        Assert.Contains($"this node ({Address(node)}) was removed from the cluster", process.Output);
    }

    private static bool Alive(int pid) => Directory.Exists($"/proc/{pid}") && !ProcStat.IsZombie(pid);

    [Fact]
    public void A_holder_cut_off_from_the_other_two_is_downed_and_stops_its_copy_the_singleton_moves_to_the_majority_and_never_runs_twice()
    {
        var all = new[] { 0, 1, 2 };
        var holder = AwaitSingleHolder(all);
        var oldCopy = _nodes[holder].Pid("solo")!.Value;
        Assert.True(Poll.Until(() => Fence.Read().Count > 0, Bound, 100), "the singleton never wrote its fencing log");
        var oldToken = Fence.Read()[^1].Token;
        var majority = all.Where(i => i != holder).ToList();

        var cutAt = Stopwatch.GetTimestamp(); // CLOCK_MONOTONIC in ns on Linux, the fencing log's clock
        _net!.Cut(holder);

        // The majority runs it under a newer token once the cut-off side let go of it.
        FenceLog.Line? first = null;
        Assert.True(Poll.Until(() => (first = Fence.Read().FirstOrDefault(l => l.Token > oldToken)) is not null, Bound, 100),
            $"no copy with a token newer than {oldToken} ever wrote\n{Outputs()}");
        output.WriteLine($"the new copy wrote its first line {(first!.Ns - (long)(cutAt * (1e9 / Stopwatch.Frequency))) / 1e9:0.00} s after the cut (token {oldToken} -> {first.Token})");
        var next = AwaitSingleHolder(majority);

        // The cut-off node was downed by the split brain resolver (one of three is the minority): it killed its copy
        // (the fencing log shows when) and ends with exit 1, while it is still cut off.
        AssertTheCutOffNodeStopsWithExit1(holder);
        var log = _nodes[holder].Process!.Output;
        output.WriteLine($"the cut-off node:\n{string.Join("\n", log.Split('\n').Where(l => l.Contains("cluster") || l.Contains("solo") || l.Contains("singletons")))}");
        Assert.Contains("singletons may not run on this node: this node was downed (by the split brain resolver", log);
        Assert.False(Alive(oldCopy), $"the cut-off node's copy (pid {oldCopy}) still runs");

        _net.Heal(holder);
        // The majority dropped the removed node from the fleet view: solo runs once, on the new holder.
        var view = new Dictionary<string, string> { [Address(next)] = "running", [Address(majority.Single(i => i != next))] = "waiting" };
        foreach (var viewer in majority) AwaitClusterView(viewer, view, "solo running once on the new holder and the cut-off node gone");

        // Its service manager starts it again: it joins the healed cluster and waits; the singleton stays where it runs.
        Start(holder);
        foreach (var i in all) AwaitMembersUp(i, 3);
        view[Address(holder)] = "waiting";
        foreach (var viewer in majority) AwaitClusterView(viewer, view, "solo running once, the node that came back waiting");
        Assert.Equal(next, AwaitSingleHolder(all));

        // Long enough for a second copy to have shown in the log (2 s of lines).
        var settled = Fence.Read().Count;
        Assert.True(Poll.Until(() => Fence.Read().Count > settled + 40, Bound, 100), "the singleton stopped writing");
        var tokens = FenceLog.AssertNoOverlap(Fence.Read(), output);
        Assert.Equal(new[] { oldToken, first.Token }, tokens.SkipWhile(t => t != oldToken).ToArray());
    }

    [Fact]
    public void A_node_cut_off_that_does_not_hold_the_singleton_is_downed_and_the_singleton_never_moves_and_never_runs_twice()
    {
        var all = new[] { 0, 1, 2 };
        var holder = AwaitSingleHolder(all);
        var copy = _nodes[holder].Pid("solo")!.Value;
        Assert.True(Poll.Until(() => Fence.Read().Count > 0, Bound, 100), "the singleton never wrote its fencing log");
        var token = Fence.Read()[^1].Token;
        var cut = all.First(i => i != holder);
        var other = all.Single(i => i != holder && i != cut);

        _net!.Cut(cut);
        // Cut off alone, it is the minority: it is downed and stops, exit 1.
        AssertTheCutOffNodeStopsWithExit1(cut);
        _net.Heal(cut);
        AwaitMembersUp(holder, 2);
        AwaitClusterView(other, new Dictionary<string, string> { [Address(holder)] = "running", [Address(other)] = "waiting" },
            "solo running once on its holder and the cut-off node gone");

        // Long enough for a second copy to have shown in the log (2 s of lines).
        var settled = Fence.Read().Count;
        Assert.True(Poll.Until(() => Fence.Read().Count > settled + 40, Bound, 100), "the singleton stopped writing");
        Assert.Equal(copy, _nodes[holder].Pid("solo"));
        Assert.Equal("waiting", _nodes[other].State("solo"));
        var tokens = FenceLog.AssertNoOverlap(Fence.Read(), output);
        Assert.Equal(token, tokens[^1]);
    }
}
