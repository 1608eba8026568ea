using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit;

namespace Actors.Integration.Tests.Cluster;

/// <summary>
/// Management ports for <c>actors.cluster.bootstrap</c>. Every node's contact point must be known before any node
/// starts (each lists all of them), so the ports are picked in advance: bound to port 0 on loopback, read and closed at
/// once, then passed in the config. Another program may take one in between; the fixtures then start again once with
/// new ports (a node says so: "management-port ... is already in use").
/// </summary>
internal static class BootstrapPorts
{
    public static int[] Pick(int count)
    {
        var sockets = Enumerable.Range(0, count).Select(_ =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return socket;
        }).ToList();
        // All bound at once, so the ports differ; closed together right after.
        var ports = sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToArray();
        foreach (var socket in sockets) socket.Dispose();
        return ports;
    }

    public static bool WasTaken(ControlledNode node) => node.Process?.Output.Contains("is already in use") == true;

    /// <summary>The cluster block of a node that joins through bootstrap with these contact points.</summary>
    public static string Cluster(int own, IEnumerable<int> contactPoints, string extra = "") =>
        $"{extra} bootstrap {{ enabled = on, management-port = {own}, stable-margin = 3s, " +
        $"contact-points = [{string.Join(", ", contactPoints.Select(p => $"\"127.0.0.1:{p}\""))}] }}";
}

/// <summary>
/// Three real nodes that know no seed node: each binds its cluster port at 0 and lists the three management endpoints
/// as bootstrap contact points, and they form one cluster through Akka.Management's config discovery. The last two
/// have role db, and <c>job</c> is a singleton among the nodes with role db. Every node is stopped when the tests are
/// done, whatever happened.
/// </summary>
public sealed class BootstrapCluster : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    public List<ControlledNode> Nodes { get; } = [];
    public int[] ManagementPorts { get; private set; } = [];
    public string Shared { get; } = Directory.CreateTempSubdirectory("actors-bootstrap-").FullName;
    public string LeaseName { get; } = "job-" + Guid.NewGuid().ToString("N")[..8];

    public string Processes =>
        "web { " + ControlledNode.Sleeper + " }\n" +
        "job { " + ControlledNode.Sleeper + $", placement {{ role = \"db\", singleton = on }}, lease {{ name = \"{LeaseName}\", folder = \"{Path.Combine(Shared, "leases")}\" }} }}";

    public Task InitializeAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            ManagementPorts = BootstrapPorts.Pick(3);
            string[] roles = ["", "roles = [\"db\"],", "roles = [\"db\"],"];
            try
            {
                for (var i = 0; i < 3; i++)
                    ThreeNodeCluster.StartNode(Nodes, BootstrapPorts.Cluster(ManagementPorts[i], ManagementPorts, roles[i]), Processes);
                foreach (var node in Nodes)
                    Assert.True(Poll.Until(() => node.Process!.HasExited || UpMembers(node) == 3, Bound, 200) && !node.Process!.HasExited,
                        $"the cluster never formed through bootstrap on {node.Dir}:\n{node.Process?.Output}");
                return Task.CompletedTask;
            }
            catch (Exception) when (attempt == 1 && Nodes.Any(BootstrapPorts.WasTaken))
            {
                // A management port was taken between picking and binding: once more with new ports.
                StopAll();
            }
        }
    }

    /// <summary>What Akka.Management brings: its own assembly, its HTTP layer and the web server under it (unused: see BootstrapEndpoint).</summary>
    internal static readonly string[] ManagementAssemblies = ["Akka.Management.dll", "Akka.Http.Shim.dll", "Ceen.Httpd.dll"];

    internal static int UpMembers(ControlledNode node) =>
        node.Cli("members", "--json") is { Code: 0 } r ? r.Json.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up") : 0;

    private void StopAll()
    {
        foreach (var node in Enumerable.Reverse(Nodes)) node.Dispose();
        Nodes.Clear();
    }

    public Task DisposeAsync()
    {
        StopAll();
        try
        {
            Directory.Delete(Shared, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }
}

/// <summary>Bootstrap on three real nodes: forming, the join check, and a singleton placed among the nodes of a role.</summary>
public sealed class BootstrapSpec(BootstrapCluster cluster) : IClassFixture<BootstrapCluster>, IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly List<ControlledNode> _nodes = cluster.Nodes;
    private readonly List<ControlledNode> _added = [];

    public void Dispose()
    {
        foreach (var node in _added) node.Dispose();
    }

    [Fact]
    public void Three_nodes_without_seed_nodes_form_one_cluster_through_their_contact_points_and_each_lists_the_three_up()
    {
        var addresses = _nodes.Select(ThreeNodeCluster.AddressOf).ToList();
        Assert.Equal(3, addresses.Distinct().Count());
        foreach (var node in _nodes)
        {
            var json = node.Cli("members", "--json").Json;
            Assert.True(json.GetProperty("joined").GetBoolean());
            Assert.Equal("bootstrap", json.GetProperty("joins-through").GetString());
            var members = json.GetProperty("members").EnumerateArray().ToList();
            Assert.Equal(addresses.Order(StringComparer.Ordinal), members.Select(m => m.GetProperty("node").GetString()));
            Assert.All(members, m => Assert.Equal("up", m.GetProperty("status").GetString()));
            var table = node.Cli("members");
            Assert.Equal(0, table.Code);
            Assert.Contains(": formed, leader ", table.Out);
        }
        // Bootstrap is what brought Akka.Management in: a cluster node without it loads none of it (below).
        Assert.Contains("Akka.Management.dll", File.ReadAllText($"/proc/{_nodes[0].Process!.Pid}/maps"));
        // One cluster, not three of one: every node names the same leader.
        Assert.Single(_nodes.Select(n => n.Cli("members", "--json").Json.GetProperty("leader").GetString()).Distinct());
        // The lowest contact point formed it; the others joined it after their declarations were compared.
        Assert.Contains(_nodes, n => n.Process!.Output.Contains("the lowest contact point, forms the cluster"));
        Assert.Equal(2, _nodes.Count(n => n.Process!.Output.Contains("has the same declarations; joining")));
    }

    [Fact]
    public void A_node_whose_declaration_differs_is_refused_through_bootstrap_too_and_never_joins()
    {
        var differing = new ControlledNode();
        _added.Add(differing);
        var own = BootstrapPorts.Pick(1)[0];
        var job = cluster.Processes.Replace($"name = \"{cluster.LeaseName}\"", $"name = \"{cluster.LeaseName}\", ttl = 20s");
        File.WriteAllText(differing.ConfigPath, ThreeNodeCluster.Config(BootstrapPorts.Cluster(own, cluster.ManagementPorts, "roles = [\"db\"],"), job));
        using var process = NodeProcess.Start(differing.Dir, "run", differing.ConfigPath);

        Assert.Equal(2, process.WaitForExit(Bound));
        Assert.Contains("refused by the cluster", process.Output);
        Assert.Contains("actors.processes.job.lease.ttl: \"20s\" here, (not set) on 127.0.0.1:", process.Output);
        Assert.All(_nodes, n => Assert.Equal(3, n.Cli("members", "--json").Json.GetProperty("members").GetArrayLength()));
    }

    [Fact]
    public void A_singleton_among_role_db_runs_on_one_db_node_and_the_node_without_the_role_neither_runs_nor_waits_for_it()
    {
        var dbNodes = _nodes.Skip(1).ToList();
        Dictionary<ControlledNode, string> states = [];
        Assert.True(Poll.Until(() =>
        {
            states = dbNodes.ToDictionary(n => n, n => n.State("job"));
            return states.Values.Order().SequenceEqual(["running", "waiting"]);
        }, Bound, 200), $"job never ran on exactly one db node with the other waiting: {string.Join(", ", states.Values)}");

        var roleless = _nodes[0].Cli("status", "job");
        Assert.Equal(4, roleless.Code);
        Assert.Contains("no process named job", roleless.Err);
        Assert.Equal("running", _nodes[0].State("web"));
        // The fleet view agrees: job is a process of the db nodes only.
        var dbAddresses = dbNodes.Select(ThreeNodeCluster.AddressOf).Order(StringComparer.Ordinal).ToList();
        List<string?> view = [];
        Assert.True(Poll.Until(() =>
        {
            view = _nodes[0].Cli("status", "--cluster", "--json").Json.GetProperty("nodes").EnumerateArray()
                .Where(n => n.GetProperty("processes").EnumerateArray().Any(p => p.GetProperty("name").GetString() == "job"))
                .Select(n => n.GetProperty("node").GetString()).Order(StringComparer.Ordinal).ToList();
            return view.SequenceEqual(dbAddresses);
        }, Bound, 200), $"status --cluster on the node without the role shows job on [{string.Join(", ", view)}], not on the db nodes [{string.Join(", ", dbAddresses)}]");

        // Asked of the node without the role, stop reaches the db nodes (and not itself, which has no job).
        var stop = _nodes[0].Cli("stop", "job", "--json");
        Assert.Equal(0, stop.Code);
        var results = stop.Json.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(dbAddresses, results.Select(r => r.GetProperty("node").GetString()).Order(StringComparer.Ordinal));
        Assert.All(results, r => Assert.True(r.GetProperty("ok").GetBoolean(), r.ToString()));
        Assert.All(dbNodes, n => Assert.Equal("stopped", n.State("job")));
        Assert.Equal(0, _nodes[0].Cli("start", "job").Code);
        Assert.True(Poll.Until(() => dbNodes.Count(n => n.State("job") == "running") == 1, Bound, 200), "job never ran again on one db node");
    }
}

/// <summary>A port this test listens on, closed when disposed.</summary>
internal sealed class ListeningPort(TcpListener listener) : IDisposable
{
    public int Port { get; } = ((IPEndPoint)listener.LocalEndpoint).Port;

    public void Dispose() => listener.Stop();
}

/// <summary>A bootstrap node alone: its contact points never answer, or its management port is taken.</summary>
public sealed class BootstrapAloneSpec : IAsyncLifetime
{
    private readonly List<ControlledNode> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (var node in _nodes) node.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void A_node_whose_contact_points_never_answer_logs_whom_it_waits_for_and_runs_its_own_processes()
    {
        // A port held by this test and never listened on: that contact point never answers.
        using var silent = FreePorts.Hold();
        var contact = $"127.0.0.1:{silent.Port}";
        ControlledNode node = null!;
        for (var attempt = 1; ; attempt++)
        {
            var own = BootstrapPorts.Pick(1)[0];
            try
            {
                node = ThreeNodeCluster.StartNode(_nodes, BootstrapPorts.Cluster(own, [own, silent.Port]), $"web {{ {ControlledNode.Sleeper} }}");
                break;
            }
            catch (TimeoutException) when (attempt == 1 && BootstrapPorts.WasTaken(_nodes[^1]))
            {
            }
        }

        node.Process!.AwaitLine($"waiting for contact point(s) {contact} to answer", TimeSpan.FromSeconds(90));
        node.AwaitState("web", "running");
        var members = node.Cli("members", "--json").Json;
        Assert.False(members.GetProperty("joined").GetBoolean());
        Assert.Equal([contact], members.GetProperty("waiting-for").EnumerateArray().Select(s => s.GetString()));
        Assert.Contains($"has not joined the cluster yet: waiting for contact point(s) {contact}", node.Cli("members").Out);
        // Akka.Management's own per-probe warnings (with their stack traces) are not in the node's log.
        Assert.DoesNotContain("   at ", node.Process.Output);
    }

    [Fact]
    public void A_node_whose_management_port_is_taken_refuses_to_start_and_says_why()
    {
        // Listened on by this test: the node's own bind of it fails.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var taken = new ListeningPort(listener);
        var node = new ControlledNode();
        _nodes.Add(node);
        File.WriteAllText(node.ConfigPath, ThreeNodeCluster.Config(BootstrapPorts.Cluster(taken.Port, [taken.Port]), $"web {{ {ControlledNode.Sleeper} }}"));
        using var process = NodeProcess.Start(node.Dir, "run", node.ConfigPath);

        Assert.Equal(1, process.WaitForExit(TimeSpan.FromSeconds(90)));
        Assert.Contains($"actors.cluster.bootstrap.management-port in {node.ConfigPath}: 127.0.0.1:{taken.Port} is already in use", process.Output);
        Assert.DoesNotContain("   at ", process.Output);
    }

    [Fact]
    public void A_cluster_node_without_bootstrap_loads_nothing_of_akka_management_nor_its_web_server()
    {
        var node = ThreeNodeCluster.StartNode(_nodes, "", $"web {{ {ControlledNode.Sleeper} }}");
        node.AwaitState("web", "running");
        Assert.True(Poll.Until(() => BootstrapCluster.UpMembers(node) == 1, TimeSpan.FromSeconds(90), 200), node.Process!.Output);

        var maps = File.ReadAllText($"/proc/{node.Process!.Pid}/maps");
        Assert.Contains("Akka.Cluster.dll", maps);
        foreach (var assembly in BootstrapCluster.ManagementAssemblies)
            Assert.DoesNotContain(assembly, maps);
        Assert.DoesNotContain("Binding Akka Management", node.Process.Output);
    }
}
