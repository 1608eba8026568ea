using Akka.Actor;
using Actors.Configuration;
using Actors.Core.Tests.Simulation;
using Actors.Supervision;
using Xunit;

namespace Actors.Core.Tests.Supervision;

public class NodeSupervisorSpec : SupervisionSpec
{
    [Fact]
    public void Stop_all_signals_every_independent_process_and_answers_once_all_stopped()
    {
        var names = new[] { "db", "api", "web" };
        var settings = new ActorsSettings(null, new NodeSettings("/tmp", "/tmp", TimeSpan.FromSeconds(30)),
            names.Select(n => Process(n)).ToList());
        var node = Sys.ActorOf(NodeSupervisor.Props(settings, Simulate((_, _) => SimulatedRun.RunsForever())));
        var launched = Os.ReceiveN(3, TimeSpan.FromSeconds(5)).Cast<SimulatedEvent>().Select(e => e.Name).ToHashSet();
        Assert.Equal(names.ToHashSet(), launched);
        AwaitAssert(() => Assert.All(node.Ask<NodeSupervisor.NodeStatus>(new NodeSupervisor.GetNodeStatus()).Result.Processes,
            p => Assert.Equal(ProcessState.Running, p.State)), TimeSpan.FromSeconds(5));

        node.Tell(new NodeSupervisor.StopAll());
        // No dependencies: one wave, in no particular order (NodeShutdownSpec times the waves).
        var signalled = Os.ReceiveN(6, TimeSpan.FromSeconds(5)).Cast<SimulatedEvent>()
            .Where(e => e.What.StartsWith("signal")).Select(e => e.Name).ToHashSet();
        Assert.Equal(names.ToHashSet(), signalled);
        ExpectMsg<NodeSupervisor.AllStopped>();
    }
}
