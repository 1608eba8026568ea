using Akka.Actor;
using Actors.Configuration;
using Actors.Core.Tests.Simulation;
using Actors.State;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Supervision;

/// <summary>The node's control plane: status and commands by name, and the sticky stop across node restarts.</summary>
public sealed class NodeControlSpec : SupervisionSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-node-").FullName;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Directory.Delete(_dir, recursive: true);
    }

    private static ActorsSettings Settings(params string[] names) =>
        new(null, new NodeSettings("/tmp", "/tmp", TimeSpan.FromSeconds(30)), names.Select(n => Process(n)).ToList());

    private IActorRef StartNode(SupervisorOptions options, params string[] names)
    {
        var node = Sys.ActorOf(NodeSupervisor.Props(Settings(names), options));
        AwaitAssert(() => Assert.All(Status(node).Processes, p => Assert.Equal(ProcessState.Running, p.State)), Patience);
        return node;
    }

    private static NodeSupervisor.NodeStatus Status(IActorRef node, params string[] names) =>
        node.Ask<NodeSupervisor.NodeStatus>(new NodeSupervisor.GetNodeStatus(names), Patience).Result;

    [Fact]
    public void Status_of_named_processes_comes_in_declaration_order()
    {
        var node = StartNode(Simulate((_, _) => SimulatedRun.RunsForever()), "db", "api", "web");
        Assert.Equal(["db", "web"], Status(node, "web", "db").Processes.Select(p => p.Name));
        Assert.Equal(["db", "api", "web"], Status(node).Processes.Select(p => p.Name));
    }

    [Fact]
    public void Unknown_names_are_refused_with_the_declared_ones_and_nothing_is_done()
    {
        var node = StartNode(Simulate((_, _) => SimulatedRun.RunsForever()), "db", "web");
        node.Tell(new NodeSupervisor.GetNodeStatus(["web", "nope"]));
        var unknown = ExpectMsg<NodeSupervisor.UnknownProcesses>();
        Assert.Equal(["nope"], unknown.Unknown);
        Assert.Equal(["db", "web"], unknown.Known);

        node.Tell(new NodeSupervisor.ToProcesses(["nope", "web"], new StopProcess()));
        ExpectMsg<NodeSupervisor.UnknownProcesses>();
        Assert.All(Status(node).Processes, p => Assert.Equal(ProcessState.Running, p.State));
    }

    [Fact]
    public void A_command_to_several_processes_is_answered_in_declaration_order()
    {
        var node = StartNode(Simulate((_, _) => SimulatedRun.RunsForever()), "db", "api", "web");
        node.Tell(new NodeSupervisor.ToProcesses(["web", "db"], new StopProcess()));
        var replies = ExpectMsg<NodeSupervisor.ProcessReplies>(Patience).Replies;
        Assert.Equal(new object[] { new ProcessStopped("db"), new ProcessStopped("web") }, replies);

        node.Tell(new NodeSupervisor.ToProcesses(null, new SignalProcess(1, "SIGHUP")));
        var signalled = ExpectMsg<NodeSupervisor.ProcessReplies>(Patience).Replies;
        Assert.IsType<CommandRefused>(signalled[0]);
        Assert.Equal("api", Assert.IsType<SignalSent>(signalled[1]).Name);
        Assert.IsType<CommandRefused>(signalled[2]);
    }

    [Fact]
    public void A_sticky_stop_survives_a_node_restart_and_start_clears_it()
    {
        var file = Path.Combine(_dir, "state.json");
        var options = Simulate((_, _) => SimulatedRun.RunsForever()) with { StateFile = file };
        var first = StartNode(options, "db", "web");
        first.Tell(new NodeSupervisor.ToProcesses(["web"], new StopProcess(Persist: true)));
        ExpectMsg<NodeSupervisor.ProcessReplies>(Patience);
        // Written at once, before the node goes (a kill -9 must not lose it).
        AwaitAssert(() => Assert.True(NodeStateFile.Load(file, out _)["web"].KeptStopped), Patience);

        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);
        var second = Sys.ActorOf(NodeSupervisor.Props(Settings("db", "web"), options));
        var web = Status(second, "web").Processes.Single();
        Assert.Equal(ProcessState.Stopped, web.State);
        Assert.Contains("kept across node restarts", web.Reason);
        AwaitAssert(() => Assert.Equal(ProcessState.Running, Status(second, "db").Processes.Single().State), Patience);
        Assert.Equal(1, Launcher.RunsOf("web"));

        second.Tell(new NodeSupervisor.ToProcesses(["web"], new StartProcess()));
        var started = Assert.IsType<ProcessStatus>(ExpectMsg<NodeSupervisor.ProcessReplies>(Patience).Replies.Single());
        Assert.Equal(ProcessState.Running, started.State);
        AwaitAssert(() => Assert.False(NodeStateFile.Load(file, out _).GetValueOrDefault("web", SavedIntent.Default).KeptStopped), Patience);
    }

    [Fact]
    public void A_damaged_state_file_starts_every_process()
    {
        var file = Path.Combine(_dir, "state.json");
        File.WriteAllText(file, "{\"version\":1,\"processes\":{\"web\":{\"kept-st");
        var options = Simulate((_, _) => SimulatedRun.RunsForever()) with { StateFile = file };
        StartNode(options, "web");
    }
}
