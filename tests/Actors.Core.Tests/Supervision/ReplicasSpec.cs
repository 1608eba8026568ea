using Akka.Actor;
using Actors.Configuration;
using Actors.Core.Tests.Simulation;
using Actors.Supervision;
using Xunit;

namespace Actors.Core.Tests.Supervision;

/// <summary>
/// Replicas, scale and autostart at the root supervisor, with simulated processes: which copies start and stop, in
/// what order, what a reload of a changed count does, and what dependents of a replicated or not-started process see.
/// </summary>
public sealed class ReplicasSpec : SupervisionSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-replicas-").FullName;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Directory.Delete(_dir, recursive: true);
    }

    private ActorsSettings Load(string processes)
    {
        var result = ConfigLoader.LoadText($"actors.processes {{\n{processes}\n}}", "f.conf", _dir);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Settings!;
    }

    private IActorRef StartNode(string processes, Func<string, int, SimulatedRun>? script = null) =>
        Sys.ActorOf(NodeSupervisor.Props(Load(processes), Simulate(script ?? ((_, _) => SimulatedRun.RunsForever()))));

    private static IReadOnlyList<ProcessSupervisor.ProcessStatus> Status(IActorRef node, params string[] names) =>
        node.Ask<NodeSupervisor.NodeStatus>(new NodeSupervisor.GetNodeStatus(names), Patience).Result.Processes;

    private void AwaitAll(IActorRef node, ProcessState state) =>
        AwaitAssert(() => Assert.All(Status(node), p => Assert.Equal(state, p.State)), Patience);

    private static object Scale(IActorRef node, string name, int count) => node.Ask(new NodeSupervisor.Scale(name, count), Patience).Result;

    private static T Ask<T>(IActorRef node, object message) => node.Ask<T>(message, Patience).Result;

    [Fact]
    public void Scaling_3_to_5_starts_the_two_new_copies_and_5_to_2_stops_the_three_highest_highest_first()
    {
        var node = StartNode("web { command = sh, replicas = 3 }");
        AwaitAll(node, ProcessState.Running);
        var pids = Status(node).ToDictionary(p => p.Name, p => p.Pid);

        var up = Assert.IsType<NodeSupervisor.Scaled>(Scale(node, "web", 5));
        Assert.Equal((3, 5), (up.From, up.To));
        Assert.Equal(["web-4", "web-5"], up.Started);
        Assert.Empty(up.Stopped);
        AwaitAll(node, ProcessState.Running);
        var five = Status(node);
        Assert.Equal(["web-1", "web-2", "web-3", "web-4", "web-5"], five.Select(p => p.Name));
        Assert.All(five.Take(3), p => Assert.Equal(pids[p.Name], p.Pid));
        Assert.All(five, p => Assert.Equal(5, p.Replica!.Count));
        Assert.Contains("ACTORS_REPLICAS=5", Launcher.Specs.Single(s => s.Name == "web-5").Environment);

        var down = Assert.IsType<NodeSupervisor.Scaled>(Scale(node, "web", 2));
        Assert.Equal(["web-5", "web-4", "web-3"], down.Stopped);
        Assert.Equal(["web-5", "web-4", "web-3"], Launcher.Signals.Where(s => s.Signal == 15).Select(s => s.Name));
        Assert.Equal(["web-1", "web-2"], Status(node).Select(p => p.Name));
        Assert.Equal(1, Launcher.RunsOf("web-1"));
    }

    [Fact]
    public void A_name_with_replicas_means_every_copy_and_a_copy_name_means_that_one()
    {
        var node = StartNode("web { command = sh, replicas = 3 }\napi { command = sh }");
        AwaitAll(node, ProcessState.Running);

        Assert.Equal(["web-1", "web-2", "web-3"], Status(node, "web").Select(p => p.Name));
        node.Tell(new NodeSupervisor.ToProcesses(["web-2"], new ProcessSupervisor.StopProcess()));
        ExpectMsg<NodeSupervisor.ProcessReplies>(Patience);
        Assert.Equal([ProcessState.Running, ProcessState.Stopped, ProcessState.Running], Status(node, "web").Select(p => p.State));

        var unknown = Ask<NodeSupervisor.UnknownProcesses>(node, new NodeSupervisor.GetNodeStatus(["web-4"]));
        Assert.Equal(["web", "web-1", "web-2", "web-3", "api"], unknown.Known);
    }

    [Fact]
    public void Scale_refuses_a_count_of_0_a_job_and_a_copys_own_name_and_answers_unknown_for_an_undeclared_one()
    {
        var node = StartNode("web { command = sh, replicas = 2 }\nbackup { command = sh, kind = job }");
        AwaitAssert(() => Assert.Equal(ProcessState.Running, Status(node, "web")[0].State), Patience);

        Assert.Contains("use 'actors stop web'", Assert.IsType<NodeSupervisor.ScaleRefused>(Scale(node, "web", 0)).Reason);
        Assert.Contains("backup is a job", Assert.IsType<NodeSupervisor.ScaleRefused>(Scale(node, "backup", 2)).Reason);
        Assert.Contains("web-2 is one replica of web", Assert.IsType<NodeSupervisor.ScaleRefused>(Scale(node, "web-2", 3)).Reason);
        Assert.Equal(["nope"], Assert.IsType<NodeSupervisor.UnknownProcesses>(Scale(node, "nope", 3)).Unknown);
        Assert.Equal(2, Status(node, "web").Count);
    }

    [Fact]
    public void A_reload_that_changes_replicas_scales_and_one_that_does_not_keeps_a_scaled_count()
    {
        var node = StartNode("web { command = sh, replicas = 2 }");
        AwaitAll(node, ProcessState.Running);
        Scale(node, "web", 4);

        var unrelated = Ask<NodeSupervisor.Reloaded>(node, new NodeSupervisor.Reload(Load("web { command = sh, replicas = 2 }\napi { command = sh }")));
        Assert.Equal(["api"], unrelated.Added);
        Assert.Empty(unrelated.Removed);
        Assert.Equal(["web-1", "web-2", "web-3", "web-4", "api"], Status(node).Select(p => p.Name));

        var changed = Ask<NodeSupervisor.Reloaded>(node, new NodeSupervisor.Reload(Load("web { command = sh, replicas = 3 }\napi { command = sh }")));
        Assert.Equal(["web-4"], changed.Removed);
        Assert.Equal(["web-1", "web-2", "web-3", "api"], changed.Unchanged);
        Assert.Equal(1, Launcher.RunsOf("web-1"));
    }

    [Fact]
    public void A_dependent_of_a_replicated_process_starts_once_every_copy_runs_and_names_the_copy_that_holds_it_back()
    {
        var node = StartNode("""
            api { command = sh, depends-on { web = started } }
            web { command = sh, replicas = 2 }
            """, (name, _) => name == "web-2" ? SimulatedRun.CannotLaunch("no such file") : SimulatedRun.RunsForever());

        AwaitAssert(() =>
        {
            var api = Status(node, "api")[0];
            Assert.Equal(ProcessState.Waiting, api.State);
            Assert.Contains("replica web-2", api.Reason);
        }, Patience);
        Assert.Equal(ProcessState.Running, Status(node, "web-1")[0].State);
        Assert.Equal(0, Launcher.RunsOf("api"));
    }

    [Fact]
    public void Autostart_off_stays_stopped_saying_why_its_dependent_waits_and_a_start_runs_both()
    {
        var node = StartNode("""
            db { command = sh, autostart = off }
            web { command = sh, depends-on { db = started } }
            """);

        AwaitAssert(() =>
        {
            var statuses = Status(node);
            Assert.Equal((ProcessState.Stopped, "autostart is off; start it with 'actors start db'"), (statuses[0].State, statuses[0].Reason));
            Assert.Equal(ProcessState.Waiting, statuses[1].State);
            Assert.Contains("db is stopped (autostart is off", statuses[1].Reason);
        }, Patience);
        Assert.Equal(0, Launcher.RunsOf("db"));

        node.Tell(new NodeSupervisor.ToProcesses(["db"], new ProcessSupervisor.StartProcess()));
        ExpectMsg<NodeSupervisor.ProcessReplies>(Patience);
        AwaitAll(node, ProcessState.Running);
    }
}
