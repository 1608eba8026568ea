using Akka.Actor;
using Actors.Configuration;
using Actors.Core.Tests.Simulation;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Supervision;

/// <summary>depends-on on virtual time: dependents wait for their dependencies, never crash-loop, and stop first.</summary>
public class DependencySpec : SupervisionSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private static ProcessSettings DependsOn(string name, params (string Name, DependencyCondition Condition)[] dependencies) =>
        Process(name) with { DependsOn = dependencies.Select(d => new Dependency(d.Name, d.Condition)).ToList() };

    private static ActorsSettings Settings(params ProcessSettings[] processes) =>
        new(null, new NodeSettings("/tmp", "/tmp", TimeSpan.FromSeconds(30)), processes);

    private static DependencyState Db(ProcessState state, string reason = "", bool runningIsReady = false) =>
        new("db", state, reason) { RunningIsReady = runningIsReady };

    private ProcessStatus AwaitReason(IActorRef supervisor, ProcessState state, string reason)
    {
        ProcessStatus status = null!;
        AwaitAssert(() =>
        {
            status = StatusOf(supervisor);
            Assert.Equal(state, status.State);
            Assert.Contains(reason, status.Reason);
        }, Patience, TimeSpan.FromMilliseconds(5));
        return status;
    }

    private static IReadOnlyList<ProcessStatus> Statuses(IActorRef node) =>
        node.Ask<NodeSupervisor.NodeStatus>(new NodeSupervisor.GetNodeStatus(), Patience).Result.Processes;

    private ProcessStatus AwaitProcess(IActorRef node, string name, ProcessState state, string reason = "")
    {
        ProcessStatus status = null!;
        AwaitAssert(() =>
        {
            status = Statuses(node).Single(p => p.Name == name);
            Assert.Equal(state, status.State);
            Assert.Contains(reason, status.Reason);
        }, Patience, TimeSpan.FromMilliseconds(5));
        return status;
    }

    /// <summary>The names in the order the simulated processes got their stop signal.</summary>
    private List<string> StopSignals(int events) =>
        Os.ReceiveN(events, Patience).Cast<SimulatedEvent>().Where(e => e.What.StartsWith("signal")).Select(e => e.Name).ToList();

    // ---- one process and the states the node tells it ----

    [Fact]
    public void A_dependent_waits_for_ready_and_says_where_its_dependency_stands()
    {
        var web = Supervise(DependsOn("web", ("db", DependencyCondition.Ready)), (_, _) => SimulatedRun.RunsForever());

        var waiting = AwaitReason(web, ProcessState.Waiting, "waiting for db to be ready (db is not started yet)");
        Assert.Equal("waiting", waiting.State.ToDisplay());

        web.Tell(Db(ProcessState.Running, "pid 7"));
        // db has a readiness probe (RunningIsReady false): running is not enough.
        AwaitReason(web, ProcessState.Waiting, "waiting for db to be ready (db is running: pid 7)");
        Assert.Equal(0, Launcher.RunsOf("web"));

        web.Tell(Db(ProcessState.Ready, "readiness passed"));
        ExpectOs("launched");
        var running = AwaitState(web, ProcessState.Running);
        Assert.Contains(running.Trail, t => t.State == ProcessState.Starting && t.Reason == "initial start; dependencies met (db ready)");
    }

    [Fact]
    public void Running_counts_as_ready_for_a_dependency_without_a_readiness_probe()
    {
        var web = Supervise(DependsOn("web", ("db", DependencyCondition.Ready)), (_, _) => SimulatedRun.RunsForever());
        AwaitState(web, ProcessState.Waiting);

        web.Tell(Db(ProcessState.Running, "pid 7", runningIsReady: true));
        ExpectOs("launched");
        AwaitState(web, ProcessState.Running);
    }

    [Fact]
    public void Started_is_met_by_running_and_completed_only_by_a_finished_job()
    {
        var web = Supervise(DependsOn("web", ("db", DependencyCondition.Started), ("migrate", DependencyCondition.Completed)),
            (_, _) => SimulatedRun.RunsForever());
        AwaitState(web, ProcessState.Waiting);

        web.Tell(Db(ProcessState.Starting, "initial start"));
        AwaitReason(web, ProcessState.Waiting, "waiting for db to be started (db is starting: initial start); also waiting for migrate");
        web.Tell(Db(ProcessState.Running, "pid 7"));
        AwaitReason(web, ProcessState.Waiting, "waiting for migrate to be completed (migrate is not started yet)");
        web.Tell(new DependencyState("migrate", ProcessState.Running, "pid 8"));
        AwaitReason(web, ProcessState.Waiting, "waiting for migrate to be completed (migrate is running: pid 8)");
        Assert.Equal(0, Launcher.RunsOf("web"));

        web.Tell(new DependencyState("migrate", ProcessState.Completed, "exited with code 0"));
        ExpectOs("launched");
        var running = AwaitState(web, ProcessState.Running);
        Assert.Contains(running.Trail, t => t.Reason == "initial start; dependencies met (db running, migrate completed)");
    }

    [Fact]
    public void A_running_dependent_is_not_stopped_when_its_dependency_fails_its_restart_fails_on_it_and_it_follows_the_dependency_back()
    {
        var web = Supervise(DependsOn("web", ("db", DependencyCondition.Started)),
            (_, run) => run == 1 ? SimulatedRun.Exits(1, TimeSpan.FromSeconds(30)) : SimulatedRun.RunsForever());
        web.Tell(Db(ProcessState.Running, "pid 7"));
        ExpectOs("launched");
        AwaitState(web, ProcessState.Running);

        web.Tell(Db(ProcessState.Failed, "start limit hit: 10 starts within 10m"));
        AwaitState(web, ProcessState.Running);
        Assert.DoesNotContain(Launcher.Signals, s => s.Name == "web");

        // Its own crash: the restart after the backoff cannot be met (db failed for good), so web fails, not waits.
        Clock.Advance(TimeSpan.FromSeconds(30));
        ExpectOs("exited");
        AwaitState(web, ProcessState.BackingOff);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var failed = AwaitReason(web, ProcessState.Failed, "dependency db failed (start limit hit: 10 starts within 10m)");
        Assert.Contains("it starts once db is started again ('actors start db')", failed.Reason);
        Assert.Equal(ProcessState.BackingOff, failed.Trail[^2].State);
        Clock.Advance(TimeSpan.FromHours(1));
        AwaitState(web, ProcessState.Failed);
        Assert.Equal(1, Launcher.RunsOf("web"));

        // db back: the pending restart runs.
        web.Tell(Db(ProcessState.Running, "pid 9"));
        ExpectOs("launched");
        var running = AwaitState(web, ProcessState.Running);
        Assert.Contains(running.Trail, t => t.State == ProcessState.Starting && t.Reason.StartsWith("restart 1") && t.Reason.EndsWith("dependencies met (db running)"));
    }

    [Fact]
    public async Task A_waiting_dependent_stopped_by_the_operator_stays_stopped_when_its_dependency_comes_up()
    {
        var web = Supervise(DependsOn("web", ("db", DependencyCondition.Started)), (_, _) => SimulatedRun.RunsForever());
        AwaitState(web, ProcessState.Waiting);

        await web.Ask<ProcessStopped>(new StopProcess(), Patience);
        AwaitReason(web, ProcessState.Stopped, "stopped by request (was waiting for db to be started");
        web.Tell(Db(ProcessState.Running, "pid 7"));

        // A handshake: the status is answered after the dependency's message was handled.
        AwaitState(web, ProcessState.Stopped);
        Assert.Equal(0, Launcher.RunsOf("web"));
    }

    [Fact]
    public void Only_a_new_kind_of_wait_goes_into_the_trail()
    {
        var web = Supervise(DependsOn("web", ("db", DependencyCondition.Ready)), (_, _) => SimulatedRun.RunsForever());
        AwaitState(web, ProcessState.Waiting);
        foreach (var state in new[] { ProcessState.Starting, ProcessState.Running, ProcessState.BackingOff, ProcessState.Starting })
            web.Tell(Db(state, $"db {state}"));
        var waiting = AwaitReason(web, ProcessState.Waiting, "(db is starting: db Starting)");
        Assert.Single(waiting.Trail, t => t.State == ProcessState.Waiting);

        web.Tell(Db(ProcessState.Stopped, "stopped by request"));
        waiting = AwaitReason(web, ProcessState.Waiting, "waiting for db to be ready: db is stopped (stopped by request)");
        Assert.Equal(2, waiting.Trail.Count(t => t.State == ProcessState.Waiting));
    }

    [Fact]
    public void Dependencies_come_before_the_lease_a_waiting_process_does_not_take_it()
    {
        var lease = new SimulatedLease(new Akka.Coordination.LeaseSettings("web", "node-a",
            new Akka.Coordination.TimeoutSettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)), Akka.Configuration.ConfigurationFactory.Empty));
        var settings = DependsOn("web", ("db", DependencyCondition.Started)) with
        {
            Lease = new ProcessLeaseSettings("web", "/leases", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)),
        };
        var options = Simulate((_, _) => SimulatedRun.RunsForever()) with { NodeId = "node-a", LeaseFactory = (_, _, _) => lease };
        var web = Sys.ActorOf(ProcessSupervisor.Props(settings, options), "web");

        AwaitReason(web, ProcessState.Waiting, "waiting for db to be started");
        Clock.Advance(TimeSpan.FromSeconds(5));
        AwaitReason(web, ProcessState.Waiting, "waiting for db to be started");
        Assert.Null(lease.Holder);

        web.Tell(Db(ProcessState.Running, "pid 7"));
        ExpectOs("launched");
        var running = AwaitState(web, ProcessState.Running);
        Assert.Equal("node-a", lease.Holder);
        Assert.Contains("dependencies met (db running); lease web acquired", running.Trail[^2].Reason);
    }

    // ---- the node: routing, boot, operator commands, reload ----

    [Fact]
    public void Node_shutdown_stops_dependents_first()
    {
        // Declared dependent first: without depends-on the stop would go db, then web.
        var node = Sys.ActorOf(NodeSupervisor.Props(Settings(DependsOn("web", ("db", DependencyCondition.Started)), Process("db"), Process("cache")),
            Simulate((_, _) => SimulatedRun.RunsForever())));
        Os.ReceiveN(3, Patience);
        AwaitProcess(node, "web", ProcessState.Running);

        node.Tell(new NodeSupervisor.StopAll());
        // web and cache have no order between them and stop at once; db only after both (their wave) are gone.
        var order = StopSignals(6);
        Assert.Equal(["cache", "web"], order.Take(2).Order());
        Assert.Equal("db", order[2]);
        ExpectMsg<NodeSupervisor.AllStopped>(Patience);
    }

    [Fact]
    public async Task An_operator_stop_of_several_goes_in_waves_dependents_first()
    {
        var node = Sys.ActorOf(NodeSupervisor.Props(Settings(
                Process("db"),
                DependsOn("api", ("db", DependencyCondition.Ready)),
                DependsOn("web", ("api", DependencyCondition.Ready)),
                Process("cache")),
            Simulate((_, _) => SimulatedRun.RunsForever())));
        Os.ReceiveN(4, Patience);
        AwaitProcess(node, "web", ProcessState.Running);

        var replies = await node.Ask<NodeSupervisor.ProcessReplies>(new NodeSupervisor.ToProcesses(null, new StopProcess()), Patience);

        Assert.Equal(["db", "api", "web", "cache"], replies.Replies.Cast<ProcessStopped>().Select(r => r.Name));
        var order = StopSignals(8);
        Assert.Equal(["cache", "web"], order.Take(2).Order());
        Assert.Equal(["api", "db"], order.Skip(2));
        Assert.All(Statuses(node), p => Assert.Equal(ProcessState.Stopped, p.State));
    }

    [Fact]
    public async Task A_reload_that_adds_a_dependency_makes_the_process_wait_for_it()
    {
        var node = Sys.ActorOf(NodeSupervisor.Props(Settings(Process("db"), Process("web")), Simulate((_, _) => SimulatedRun.RunsForever())));
        Os.ReceiveN(2, Patience);
        AwaitProcess(node, "web", ProcessState.Running);
        await node.Ask<NodeSupervisor.ProcessReplies>(new NodeSupervisor.ToProcesses(["db"], new StopProcess()), Patience);

        var result = await node.Ask<NodeSupervisor.Reloaded>(
            new NodeSupervisor.Reload(Settings(Process("db"), DependsOn("web", ("db", DependencyCondition.Started)))), Patience);

        Assert.Equal(["web"], result.Changed);
        AwaitProcess(node, "web", ProcessState.Waiting, "waiting for db to be started: db is stopped (stopped by request");
        await node.Ask<NodeSupervisor.ProcessReplies>(new NodeSupervisor.ToProcesses(["db"], new StartProcess()), Patience);
        AwaitProcess(node, "web", ProcessState.Running);
        Assert.Equal(2, Launcher.RunsOf("web"));
    }

    [Fact]
    public async Task A_process_added_by_a_reload_starts_at_once_when_its_dependency_already_runs()
    {
        var node = Sys.ActorOf(NodeSupervisor.Props(Settings(Process("db")), Simulate((_, _) => SimulatedRun.RunsForever())));
        ExpectOs("launched");
        AwaitProcess(node, "db", ProcessState.Running);

        await node.Ask<NodeSupervisor.Reloaded>(
            new NodeSupervisor.Reload(Settings(Process("db"), DependsOn("web", ("db", DependencyCondition.Ready)))), Patience);

        var web = AwaitProcess(node, "web", ProcessState.Running);
        Assert.DoesNotContain(web.Trail, t => t.State == ProcessState.Waiting);
    }
}
