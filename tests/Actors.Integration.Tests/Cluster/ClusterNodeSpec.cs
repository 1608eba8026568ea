using System.Text.Json;
using Xunit;

namespace Actors.Integration.Tests.Cluster;

/// <summary>
/// Three real nodes (<c>actors run</c>) on this machine, each its own process, forming one cluster on loopback: the
/// first binds a free port (port 0) and forms it, the others join it through the port it reports. Shared by the
/// tests of <see cref="ClusterNodeSpec"/> (forming a cluster takes a while on a busy machine); every node is stopped
/// when they are done, whatever happened.
/// </summary>
public sealed class ThreeNodeCluster : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    public List<ControlledNode> Nodes { get; } = [];

    public const string Processes =
        "web { " + ControlledNode.Sleeper + " }\n" +
        "db { " + ControlledNode.Sleeper + ", placement { role = \"db\" } }";

    internal static string Config(string cluster, string processes) =>
        $"actors {{\n  cluster {{ enabled = on, hostname = \"127.0.0.1\", port = 0, {cluster} }}\n  processes {{\n{processes}\n  }}\n}}\n";

    internal static ControlledNode StartNode(List<ControlledNode> nodes, string cluster, string processes = Processes)
    {
        var node = new ControlledNode();
        nodes.Add(node);
        File.WriteAllText(node.ConfigPath, Config(cluster, processes));
        return node.Start();
    }

    /// <summary>The node's cluster address as it reports it (it bound port 0).</summary>
    internal static string AddressOf(ControlledNode node) => node.Cli("members", "--json").Json.GetProperty("self").GetString()!;

    public Task InitializeAsync()
    {
        var first = StartNode(Nodes, "");
        var seed = AddressOf(first);
        StartNode(Nodes, $"seed-nodes = [\"{seed}\"]");
        StartNode(Nodes, $"seed-nodes = [\"{seed}\"], roles = [\"db\"]");
        foreach (var node in Nodes)
            Assert.True(Poll.Until(() => node.Cli("members", "--json") is { Code: 0 } r && r.Json.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up") == 3,
                Bound, 200), $"the cluster never formed on {node.Dir}:\n{node.Process?.Output}");
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        foreach (var node in Enumerable.Reverse(Nodes)) node.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The fleet view, members and commands of three real nodes; nodes a test adds are stopped by the test.</summary>
public sealed class ClusterNodeSpec(ThreeNodeCluster cluster) : IClassFixture<ThreeNodeCluster>, IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly List<ControlledNode> _nodes = cluster.Nodes;
    private readonly List<ControlledNode> _added = [];

    public void Dispose()
    {
        foreach (var node in _added) node.Dispose();
    }

    private static string AddressOf(ControlledNode node) => ThreeNodeCluster.AddressOf(node);

    private static string Config(string c, string processes) => ThreeNodeCluster.Config(c, processes);

    private const string Processes = ThreeNodeCluster.Processes;

    private static List<string> Own(ControlledNode node) =>
        node.Cli("status", "--json").Json.GetProperty("processes").EnumerateArray().Select(Row).Order(StringComparer.Ordinal).ToList();

    private static string Row(JsonElement p) =>
        $"{p.GetProperty("name").GetString()} {p.GetProperty("state").GetString()} {(p.GetProperty("pid").ValueKind == JsonValueKind.Number ? p.GetProperty("pid").GetInt32() : "-")}";

    private static Dictionary<string, List<string>> ClusterView(ControlledNode node) =>
        node.Cli("status", "--cluster", "--json").Json.GetProperty("nodes").EnumerateArray().ToDictionary(
            n => n.GetProperty("node").GetString()!,
            n => n.GetProperty("processes").EnumerateArray().Select(Row).Order(StringComparer.Ordinal).ToList());

    [Fact]
    public void Status_cluster_on_every_node_shows_every_nodes_processes_as_that_node_reports_them()
    {
        foreach (var node in _nodes)
            Assert.True(Poll.Until(() => Own(node).All(r => r.Contains(" running ") && !r.EndsWith(" -")), Bound, 200), $"not all running on {node.Dir}: {string.Join(", ", Own(node))}");
        var addresses = _nodes.Select(AddressOf).ToList();
        var own = _nodes.Select(Own).ToList();
        foreach (var viewer in _nodes)
        {
            Dictionary<string, List<string>> view = [];
            var agrees = Poll.Until(() =>
            {
                view = ClusterView(viewer);
                return addresses.Select((a, i) => view.TryGetValue(a, out var rows) && rows.SequenceEqual(own[i])).All(ok => ok);
            }, Bound, 200);
            Assert.True(agrees, $"status --cluster on {AddressOf(viewer)}:\n{JsonSerializer.Serialize(view)}\nwhat each node reports:\n{JsonSerializer.Serialize(own)}");
        }
        var table = _nodes[0].Cli("status", "--cluster");
        Assert.Equal(0, table.Code);
        Assert.Contains($"{addresses[2]}  db ", table.Out);
    }

    [Fact]
    public void Members_lists_the_three_nodes_with_their_roles_reachability_and_the_leader()
    {
        var result = _nodes[1].Cli("members");
        Assert.Equal(0, result.Code);
        var addresses = _nodes.Select(AddressOf).ToList();
        var json = _nodes[1].Cli("members", "--json").Json;
        var members = json.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(addresses.Order(StringComparer.Ordinal), members.Select(m => m.GetProperty("node").GetString()));
        Assert.All(members, m => Assert.True(m.GetProperty("reachable").GetBoolean()));
        Assert.Equal(["db"], members.Single(m => m.GetProperty("node").GetString() == addresses[2]).GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        var leader = json.GetProperty("leader").GetString()!;
        Assert.Contains(leader, addresses);
        Assert.Contains($"{addresses[2]}  up      yes        db", result.Out);
        Assert.Contains("leader", result.Out);
    }

    [Fact]
    public void A_process_placed_by_role_runs_only_on_the_node_with_that_role()
    {
        _nodes[2].AwaitState("db", "running");
        var elsewhere = _nodes[0].Cli("status", "db");
        Assert.Equal(4, elsewhere.Code);
        Assert.Contains("no process named db", elsewhere.Err);
    }

    [Fact]
    public void Stop_and_start_asked_of_one_node_reach_the_node_that_runs_the_process()
    {
        var runner = _nodes[2];
        var before = runner.AwaitState("db", "running").GetProperty("pid").GetInt32();
        var db = AddressOf(runner);
        Assert.True(Poll.Until(() => ClusterView(_nodes[0]).GetValueOrDefault(db)?.Any(r => r.StartsWith("db ")) == true, Bound, 200), "node 1 never learnt who runs db");

        var stop = _nodes[0].Cli("stop", "db");
        Assert.Equal(0, stop.Code);
        Assert.Contains($"db: stopped on {db}", stop.Out);
        Assert.Equal("stopped", runner.State("db"));

        var start = _nodes[0].Cli("start", "db", "--json");
        Assert.Equal(0, start.Code);
        var result = start.Json.GetProperty("results")[0];
        Assert.Equal(db, result.GetProperty("node").GetString());
        var pid = result.GetProperty("status").GetProperty("pid").GetInt32();
        Assert.NotEqual(before, pid);
        Assert.Equal(pid, runner.Pid("db"));
    }

    [Fact]
    public void A_second_node_on_the_same_host_and_port_refuses_to_start_and_says_why()
    {
        var taken = AddressOf(_nodes[0]);
        var port = taken.Split(':')[1];
        var second = new ControlledNode();
        _added.Add(second);
        File.WriteAllText(second.ConfigPath, Config($"seed-nodes = [\"{taken}\"]", Processes).Replace("port = 0", $"port = {port}"));
        using var process = NodeProcess.Start(second.Dir, "run", second.ConfigPath);
        Assert.Equal(1, process.WaitForExit(Bound));
        Assert.Contains($"actors.cluster.port in {second.ConfigPath}: {taken} is already in use", process.Output);
        Assert.DoesNotContain("   at ", process.Output);
    }

    [Fact]
    public void A_node_whose_declaration_of_a_role_placed_process_differs_is_refused_with_the_difference()
    {
        var seed = AddressOf(_nodes[0]);
        var differing = new ControlledNode();
        _added.Add(differing);
        File.WriteAllText(differing.ConfigPath, Config($"seed-nodes = [\"{seed}\"], roles = [\"db\"]",
            $"db {{ {ControlledNode.Sleeper}, placement {{ role = \"db\" }}, stop.timeout = 3s }}"));
        using var process = NodeProcess.Start(differing.Dir, "run", differing.ConfigPath);

        Assert.Equal(2, process.WaitForExit(Bound));
        Assert.Contains("refused by the cluster", process.Output);
        Assert.Contains($"actors.processes.db.stop.timeout: \"3s\" here, (not set) on {seed}", process.Output);
        Assert.Equal(3, _nodes[0].Cli("members", "--json").Json.GetProperty("members").GetArrayLength());
    }
}

/// <summary>Nodes that are not (yet) in a cluster.</summary>
public sealed class ClusterAloneSpec : IAsyncLifetime
{
    private readonly List<ControlledNode> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (var node in _nodes) node.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void A_node_whose_seed_never_answers_logs_whom_it_waits_for_and_runs_its_own_processes()
    {
        // A port held by this test and never listened on: the seed node never answers.
        using var silent = FreePorts.Hold();
        var seed = $"127.0.0.1:{silent.Port}";
        var node = ThreeNodeCluster.StartNode(_nodes, $"seed-nodes = [\"{seed}\"]", $"web {{ {ControlledNode.Sleeper} }}");

        node.Process!.AwaitLine($"waiting for seed node(s) {seed} to answer", TimeSpan.FromSeconds(90));
        node.AwaitState("web", "running");
        var members = node.Cli("members", "--json").Json;
        Assert.False(members.GetProperty("joined").GetBoolean());
        Assert.Equal([seed], members.GetProperty("waiting-for").EnumerateArray().Select(s => s.GetString()));
        Assert.Contains($"has not joined the cluster yet: waiting for seed node(s) {seed}", node.Cli("members").Out);
    }

    [Fact]
    public void A_node_without_a_cluster_loads_no_cluster_assembly_and_says_so_when_asked_for_members()
    {
        var node = new ControlledNode();
        _nodes.Add(node);
        node.WriteConfig($"web {{ {ControlledNode.Sleeper} }}");
        node.Start();
        node.AwaitState("web", "running");

        var members = node.Cli("members");
        Assert.Equal(1, members.Code);
        Assert.Contains("this node is not in a cluster (actors.cluster.enabled = off)", members.Err);
        var status = node.Cli("status", "--cluster");
        Assert.Equal(1, status.Code);
        var maps = File.ReadAllText($"/proc/{node.Process!.Pid}/maps");
        foreach (var assembly in new[] { "Akka.Cluster.dll", "Akka.Remote.dll", "Akka.DistributedData.dll", "Akka.Cluster.Tools.dll" })
            Assert.DoesNotContain(assembly, maps);
    }
}
