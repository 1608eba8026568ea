using Xunit;

namespace Actors.Integration.Tests.Cluster;

/// <summary>A reload that changes a cluster-placed process: the node warns, and joining nodes are compared with the file as reloaded.</summary>
public sealed class ClusterReloadSpec : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly List<ControlledNode> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (var node in Enumerable.Reverse(_nodes)) node.Dispose();
        return Task.CompletedTask;
    }

    private static string Db(string extra) => $"db {{ {ControlledNode.Sleeper}, placement {{ role = \"db\" }}{extra} }}";

    [Fact]
    public void After_a_reload_that_changes_a_role_placed_process_a_node_started_with_the_new_file_joins_and_one_with_the_old_is_refused()
    {
        var first = ThreeNodeCluster.StartNode(_nodes, "roles = [\"db\"]", Db(""));
        first.AwaitState("db", "running");
        var seed = ThreeNodeCluster.AddressOf(first);

        File.WriteAllText(first.ConfigPath, ThreeNodeCluster.Config("roles = [\"db\"]", Db(", stop.timeout = 3s")));
        var reload = first.Cli("reload");
        Assert.Equal(0, reload.Code);
        Assert.Contains("the declarations of cluster-placed processes changed", reload.Out + reload.Err);
        Assert.Contains("actors.processes.db.stop.timeout", reload.Out + reload.Err);

        var old = new ControlledNode();
        _nodes.Add(old);
        File.WriteAllText(old.ConfigPath, ThreeNodeCluster.Config($"seed-nodes = [\"{seed}\"], roles = [\"db\"]", Db("")));
        using (var refused = NodeProcess.Start(old.Dir, "run", old.ConfigPath))
        {
            Assert.Equal(2, refused.WaitForExit(Bound));
            Assert.Contains("refused by the cluster", refused.Output);
        }

        var joining = ThreeNodeCluster.StartNode(_nodes, $"seed-nodes = [\"{seed}\"], roles = [\"db\"]", Db(", stop.timeout = 3s"));
        Assert.True(Poll.Until(() => first.Cli("members", "--json") is { Code: 0 } r && r.Json.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up") == 2,
            Bound, 200), $"the node started with the reloaded file never joined:\n{joining.Process?.Output}");
    }
}
