using Akka.Actor;
using Akka.Event;
using Actors.Configuration;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Simulation;

/// <summary>
/// The node's own stop (SIGTERM to the node) on virtual time: in dependency waves, dependents first, everything
/// without an order between them at once, all within shutdown-timeout.
/// </summary>
public class NodeShutdownSpec : SupervisionSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CleanUp = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    private static ActorsSettings Settings(params ProcessSettings[] processes) =>
        new(null, new NodeSettings("/tmp", "/tmp", ShutdownTimeout), processes);

    private static ProcessSettings DependsOn(string name, string dependency) =>
        Process(name) with { DependsOn = [new Dependency(dependency, DependencyCondition.Started)] };

    private IActorRef StartNode(ActorsSettings settings, Func<string, int, SimulatedRun> script)
    {
        var node = Sys.ActorOf(NodeSupervisor.Props(settings, Simulate(script)));
        Assert.All(Os.ReceiveN(settings.Processes.Count, Patience).Cast<SimulatedEvent>(), e => Assert.Equal("launched", e.What));
        AwaitAssert(() => Assert.All(
            node.Ask<NodeSupervisor.NodeStatus>(new NodeSupervisor.GetNodeStatus(), Patience).Result.Processes,
            p => Assert.Equal(ProcessState.Running, p.State)), Patience, TimeSpan.FromMilliseconds(5));
        return node;
    }

    private List<SimulatedEvent> NextOs(int count) => Os.ReceiveN(count, Patience).Cast<SimulatedEvent>().ToList();

    [Fact]
    public void Independent_processes_are_all_told_to_stop_at_once_so_the_shutdown_takes_as_long_as_one_of_them()
    {
        var names = Enumerable.Range(1, 5).Select(i => $"p{i}").ToArray();
        var node = StartNode(Settings(names.Select(Process).ToArray()), (_, _) => SimulatedRun.RunsUntilStoppedThenTakes(CleanUp));
        var begun = Clock.Now;

        node.Tell(new NodeSupervisor.StopAll());

        // Every one got its stop signal while the virtual clock stood still: none waited for another to finish.
        var signalled = NextOs(5);
        Assert.All(signalled, e => Assert.Equal(("signal 15", begun), (e.What, e.At)));
        Assert.Equal(names, signalled.Select(e => e.Name).Order());

        Clock.Advance(CleanUp);
        var exits = NextOs(5);
        Assert.All(exits, e => Assert.Equal("exited code 0", e.What));
        ExpectMsg<NodeSupervisor.AllStopped>(Patience);
    }

    [Fact]
    public void A_dependent_stops_before_its_dependency_is_told_to_stop()
    {
        // Declared dependency-last on purpose; cache has no order with either.
        var node = StartNode(Settings(DependsOn("web", "db"), Process("db"), Process("cache")),
            (_, _) => SimulatedRun.RunsUntilStoppedThenTakes(CleanUp));
        var begun = Clock.Now;

        node.Tell(new NodeSupervisor.StopAll());

        var firstWave = NextOs(2);
        Assert.All(firstWave, e => Assert.Equal(("signal 15", begun), (e.What, e.At)));
        Assert.Equal(["cache", "web"], firstWave.Select(e => e.Name).Order());

        Clock.Advance(CleanUp);
        var next = NextOs(3);
        Assert.Equal(["cache", "web"], next.Take(2).Select(e => e.Name).Order());
        Assert.All(next.Take(2), e => Assert.Equal("exited code 0", e.What));
        // db only once web (and the rest of its wave) has exited.
        Assert.Equal(("db", "signal 15", begun + CleanUp), (next[2].Name, next[2].What, next[2].At));

        Clock.Advance(CleanUp);
        Assert.Equal(("db", "exited code 0"), NextOs(1).Select(e => (e.Name, e.What)).Single());
        ExpectMsg<NodeSupervisor.AllStopped>(Patience);
    }

    [Fact]
    public void Processes_still_running_at_the_shutdown_timeout_are_killed_and_each_is_named_in_the_log()
    {
        // stuck ignores SIGTERM and may take 60 s by its own stop timeout; db waits behind it, so it was never told to stop.
        var stuck = DependsOn("stuck", "db") with { Stop = new StopSettings(15, "TERM", TimeSpan.FromSeconds(60)) };
        var node = StartNode(Settings(stuck, Process("db"), Process("quick")), (name, _) => name == "stuck"
            ? new SimulatedRun { IgnoresStopSignal = true }
            : SimulatedRun.RunsUntilStoppedThenTakes(CleanUp));
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));

        node.Tell(new NodeSupervisor.StopAll());
        Assert.Equal(["quick", "stuck"], NextOs(2).Select(e => e.Name).Order());
        Clock.Advance(CleanUp);
        Assert.Equal(("quick", "exited code 0"), NextOs(1).Select(e => (e.Name, e.What)).Single());

        Clock.Advance(ShutdownTimeout - CleanUp);

        var killed = NextOs(4);
        Assert.Equal(["db", "db", "stuck", "stuck"], killed.Select(e => e.Name).Order());
        Assert.Equal(["signal 9", "signal 9"], killed.Where(e => e.What.StartsWith("signal")).Select(e => e.What));
        ExpectMsg<NodeSupervisor.AllStopped>(Patience);
        var named = new List<string>();
        while (named.Count < 2)
        {
            var line = warnings.ExpectMsg<Warning>(Patience).Message.ToString()!;
            if (line.Contains("shutdown-timeout")) named.Add(line);
        }
        Assert.Contains(named, l => l.Contains("killing stuck"));
        Assert.Contains(named, l => l.Contains("killing db"));
        Assert.Equal(1, Launcher.RunsOf("quick"));
    }
}
