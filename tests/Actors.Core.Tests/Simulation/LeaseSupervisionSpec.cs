using Akka.Actor;
using Akka.Configuration;
using Akka.Coordination;
using Actors.Configuration;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Simulation;

/// <summary>A process with a lease, on virtual time: it runs only while the lease is ours.</summary>
public class LeaseSupervisionSpec : SupervisionSpec
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private SimulatedLease _lease = null!;

    private static ProcessSettings Leased(string name = "web") =>
        Process(name) with { Lease = new ProcessLeaseSettings(name, "/leases", Interval, TimeSpan.FromSeconds(10)) };

    private IActorRef SuperviseLeased(Func<string, int, SimulatedRun> script, Action<SimulatedLease>? before = null)
    {
        var settings = Leased();
        _lease = new SimulatedLease(new LeaseSettings("web", "node-a", new TimeoutSettings(Interval, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)), ConfigurationFactory.Empty));
        before?.Invoke(_lease);
        var options = Simulate(script) with { NodeId = "node-a", LeaseFactory = (_, _, _) => _lease };
        return Sys.ActorOf(ProcessSupervisor.Props(settings, options), settings.Name);
    }

    private ProcessStatus AwaitReason(IActorRef supervisor, ProcessState state, string reason)
    {
        ProcessStatus status = null!;
        AwaitAssert(() =>
        {
            status = StatusOf(supervisor);
            Assert.Equal(state, status.State);
            Assert.Contains(reason, status.Reason);
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(5));
        return status;
    }

    private string EnvOfRun(int run, string key) =>
        Launcher.Specs[run - 1].Environment.Single(e => e.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..];

    [Fact]
    public void A_process_whose_lease_is_held_elsewhere_waits_and_says_for_whom_then_starts_with_the_new_token()
    {
        var supervisor = SuperviseLeased((_, _) => SimulatedRun.RunsForever(), lease => lease.TakeBy("node-b"));

        var waiting = AwaitReason(supervisor, ProcessState.Waiting, "waiting for lease web held by node-b (token 1)");
        Assert.Equal("waiting", waiting.State.ToDisplay());
        Assert.Equal(0, Launcher.RunsOf("web"));
        Assert.Equal(new Actors.Leases.LeaseStatus("web", false, "node-b", 1, TimeSpan.Zero), waiting.Lease);

        _lease.Free();
        Clock.Advance(Interval);
        ExpectOs("launched");
        var running = AwaitState(supervisor, ProcessState.Running);
        Assert.Contains("lease web acquired (token 2)", running.Trail[^2].Reason);
        Assert.Equal("2", EnvOfRun(1, "ACTORS_LEASE_TOKEN"));
        Assert.Equal("web", EnvOfRun(1, "ACTORS_LEASE_NAME"));
        Assert.Equal(("node-a", 2L, true), (running.Lease!.Holder, running.Lease.Token, running.Lease.Held));
    }

    [Fact]
    public void A_lost_lease_kills_the_group_at_once_and_the_process_waits_for_the_lease_again()
    {
        var supervisor = SuperviseLeased((_, _) => SimulatedRun.RunsForever());
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);

        _lease.TakeBy("node-b");
        // SIGKILL to the group, not the stop signal: node-b may already be starting its copy.
        ExpectOs("signal 9");
        ExpectOs("exited");
        var waiting = AwaitReason(supervisor, ProcessState.Waiting, "held by node-b (token 2)");
        Assert.DoesNotContain(Launcher.Signals, s => s.Signal == 15);
        Assert.Contains(waiting.Trail, t => t.State == ProcessState.Stopping && t.Reason.StartsWith("lease lost: taken over by node-b"));

        // node-b goes away: ours takes over with a higher token.
        _lease.Free();
        Clock.Advance(Interval);
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        Assert.Equal("3", EnvOfRun(2, "ACTORS_LEASE_TOKEN"));
    }

    [Fact]
    public void A_crash_keeps_the_lease_through_the_backoff()
    {
        var supervisor = SuperviseLeased((_, run) => run == 1 ? SimulatedRun.Exits(1) : SimulatedRun.RunsForever());
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        Clock.Advance(TimeSpan.FromMilliseconds(100));
        ExpectOs("exited");
        var backingOff = AwaitState(supervisor, ProcessState.BackingOff);
        Assert.True(backingOff.Lease!.Held);
        Clock.Advance(PendingDelay(backingOff));
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        Assert.Equal(0, _lease.Releases);
        Assert.Equal("1", EnvOfRun(2, "ACTORS_LEASE_TOKEN"));
    }

    /// <summary>A leased process that runs, then is stopped: once its group is gone, the lease is free.</summary>
    private IActorRef RunThenStop()
    {
        var supervisor = SuperviseLeased((_, _) => SimulatedRun.RunsForever());
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        supervisor.Tell(new StopProcess());
        ExpectOs("signal 15");
        ExpectOs("exited");
        ExpectMsg<ProcessStopped>();
        AwaitAssert(() => Assert.Null(_lease.Holder), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(5));
        return supervisor;
    }

    [Fact]
    public void Stop_releases_the_lease_once_the_group_is_gone()
    {
        var supervisor = RunThenStop();
        Assert.False(StatusOf(supervisor).Lease!.Held);
    }

    [Fact]
    public void A_process_started_again_after_giving_its_lease_back_never_names_its_own_node_as_the_holder()
    {
        var supervisor = RunThenStop();

        // Another node takes the lease while ours is stopped; started again, ours waits. Until its keeper has looked,
        // it does not know who holds the lease, and must not say it is itself (the holder it saw last).
        _lease.TakeBy("node-b");
        supervisor.Tell(new StartProcess());
        var waiting = AwaitReason(supervisor, ProcessState.Waiting, "held by node-b (token 2)");
        var waits = waiting.Trail.Where(t => t.State == ProcessState.Waiting).Select(t => t.Reason).ToList();
        Assert.All(waits, reason => Assert.DoesNotContain("node-a", reason));
        Assert.Equal(1, Launcher.RunsOf("web"));
    }

    [Fact]
    public void Stopping_a_waiting_process_stops_trying_for_the_lease()
    {
        var supervisor = SuperviseLeased((_, _) => SimulatedRun.RunsForever(), lease => lease.TakeBy("node-b"));
        AwaitReason(supervisor, ProcessState.Waiting, "held by node-b");

        supervisor.Tell(new StopProcess());
        ExpectMsg<ProcessStopped>();
        Assert.Equal(ProcessState.Stopped, StatusOf(supervisor).State);
        _lease.Free();
        Clock.Advance(Interval);
        Clock.Advance(Interval);
        Os.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Null(_lease.Holder);

        // Started again, it takes the free lease.
        supervisor.Tell(new StartProcess());
        ExpectOs("launched");
        Assert.Equal(ProcessState.Running, ExpectMsg<ProcessStatus>().State);
    }
}
