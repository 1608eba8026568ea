using Akka.Actor;
using Actors.Configuration;
using Actors.Core.Tests.Simulation;
using Actors.Supervision;
using Xunit;

namespace Actors.Core.Tests.Supervision;

/// <summary>Reload: the new declarations against the running ones, by content, one reload at a time.</summary>
public class ReloadSpec : SupervisionSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    /// <summary>Fresh objects every time, as a second load of the same file gives: equal by content only.</summary>
    private static ActorsSettings Settings(params ProcessSettings[] processes) =>
        new(null, new NodeSettings("/tmp", "/tmp", TimeSpan.FromSeconds(30)), processes);

    private static ProcessSettings Declared(string name, params string[] args) => Process(name) with
    {
        Args = args.ToList(),
        Env = new Dictionary<string, string> { ["PORT"] = "80" },
        SuccessExitCodes = new HashSet<int> { 3 },
    };

    private IActorRef StartNode(params ProcessSettings[] processes)
    {
        var node = Sys.ActorOf(NodeSupervisor.Props(Settings(processes), Simulate((_, _) => SimulatedRun.RunsForever())));
        AwaitAssert(() => Assert.All(Status(node), p => Assert.Equal(ProcessState.Running, p.State)), Patience);
        return node;
    }

    private static IReadOnlyList<ProcessSupervisor.ProcessStatus> Status(IActorRef node) =>
        node.Ask<NodeSupervisor.NodeStatus>(new NodeSupervisor.GetNodeStatus(), Patience).Result.Processes;

    private static int? PidOf(IActorRef node, string name) => Status(node).Single(p => p.Name == name).Pid;

    private NodeSupervisor.Reloaded Reload(IActorRef node, params ProcessSettings[] processes) =>
        node.Ask<NodeSupervisor.Reloaded>(new NodeSupervisor.Reload(Settings(processes)), Patience).Result;

    [Fact]
    public void Unchanged_processes_keep_their_run_and_changed_ones_restart_with_a_new_pid()
    {
        var node = StartNode(Declared("db", "-x"), Declared("web", "--port", "80"));
        int? db = PidOf(node, "db"), web = PidOf(node, "web");

        var result = Reload(node, Declared("db", "-x"), Declared("web", "--port", "81"));

        Assert.Equal(["db"], result.Unchanged);
        Assert.Equal(["web"], result.Changed);
        Assert.Empty(result.Added);
        Assert.Empty(result.Removed);
        Assert.Equal(db, PidOf(node, "db"));
        Assert.Equal(1, Launcher.RunsOf("db"));
        var status = Status(node).Single(p => p.Name == "web");
        Assert.Equal(ProcessState.Running, status.State);
        Assert.NotEqual(web, status.Pid);
        Assert.Contains(status.Trail, t => t.Reason.StartsWith("configuration changed"));
    }

    [Fact]
    public void Added_processes_start_and_the_order_follows_the_new_declaration()
    {
        var node = StartNode(Declared("db"), Declared("web"));
        var result = Reload(node, Declared("db"), Declared("api"), Declared("web"));
        Assert.Equal(["api"], result.Added);
        Assert.Equal(["db", "web"], result.Unchanged);
        var statuses = Status(node);
        Assert.Equal(["db", "api", "web"], statuses.Select(p => p.Name));
        Assert.Equal(ProcessState.Running, statuses[1].State);

        // The node's stop takes in the added process too (none depends on another: all at once).
        node.Tell(new NodeSupervisor.StopAll());
        ExpectMsg<NodeSupervisor.AllStopped>(Patience);
        var signalled = Os.ReceiveN(9, Patience).Cast<SimulatedEvent>()
            .Where(e => e.What.StartsWith("signal")).Select(e => e.Name).ToList();
        Assert.Equal(["api", "db", "web"], signalled.Order());
    }

    [Fact]
    public void A_removed_process_stops_and_its_name_can_come_back_in_a_later_reload()
    {
        var node = StartNode(Declared("db"), Declared("web"));
        var first = PidOf(node, "web");

        var removed = Reload(node, Declared("db"));
        Assert.Equal(["web"], removed.Removed);
        Assert.Equal(["db"], Status(node).Select(p => p.Name));
        Assert.Contains(Launcher.Signals, s => s.Name == "web" && s.Signal == 15);

        var added = Reload(node, Declared("db"), Declared("web"));
        Assert.Equal(["web"], added.Added);
        var web = Status(node).Single(p => p.Name == "web");
        Assert.Equal(ProcessState.Running, web.State);
        Assert.NotEqual(first, web.Pid);
        Assert.Equal(2, Launcher.RunsOf("web"));
    }

    [Fact]
    public void Concurrent_reloads_are_applied_one_after_the_other_in_order()
    {
        var node = StartNode(Declared("db"));
        node.Tell(new NodeSupervisor.Reload(Settings(Declared("db"), Declared("web"))));
        node.Tell(new NodeSupervisor.Reload(Settings(Declared("db"))));
        node.Tell(new NodeSupervisor.Reload(Settings(Declared("db", "-v"), Declared("web"))));

        Assert.Equal(["web"], ExpectMsg<NodeSupervisor.Reloaded>(Patience).Added);
        Assert.Equal(["web"], ExpectMsg<NodeSupervisor.Reloaded>(Patience).Removed);
        var third = ExpectMsg<NodeSupervisor.Reloaded>(Patience);
        Assert.Equal(["web"], third.Added);
        Assert.Equal(["db"], third.Changed);
        Assert.All(Status(node), p => Assert.Equal(ProcessState.Running, p.State));
        Assert.Equal(2, Launcher.RunsOf("web"));
    }

    [Fact]
    public void Status_is_answered_while_a_reload_waits_for_a_slow_stop()
    {
        var node = Sys.ActorOf(NodeSupervisor.Props(Settings(Declared("db"), Declared("web")),
            Simulate((name, _) => SimulatedRun.RunsForever() with { IgnoresStopSignal = name == "web" })));
        AwaitAssert(() => Assert.All(Status(node), p => Assert.Equal(ProcessState.Running, p.State)), Patience);

        node.Tell(new NodeSupervisor.Reload(Settings(Declared("db"))));
        AwaitAssert(() => Assert.Contains(Launcher.Signals, s => s.Name == "web" && s.Signal == 15), Patience);
        // The reload is stuck in web's stop timeout; the node still answers.
        Assert.Equal(["db"], Status(node).Select(p => p.Name));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(["web"], ExpectMsg<NodeSupervisor.Reloaded>(Patience).Removed);
    }
}
