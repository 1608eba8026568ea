using Actors.Configuration;
using Actors.Processes;
using Actors.Supervision;
using Xunit;
using static Actors.Core.Tests.Supervision.LifecycleDriver;

namespace Actors.Core.Tests.Supervision;

/// <summary>
/// The placement gate of a <c>placement = singleton</c> process (ProcessLifecycle.Gate.cs), as a pure function: it tries
/// for its lease only while the node is an up member of the cluster, and leaves at once when the node no longer is.
/// </summary>
public class PlacementGateSpec
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private static LifecycleDriver Singleton() =>
        new(Service("solo") with { Placement = Placement.Singleton, Lease = new ProcessLeaseSettings("solo", "/leases", S(1), S(10)) });

    private static LifecycleEvent Open => new LifecycleEvent.PlacementGateChanged(true, "this node is an up member of the cluster");

    private static LifecycleEvent Closed(string why) => new LifecycleEvent.PlacementGateChanged(false, why);

    /// <summary>Up, holding the lease with token 7, running as pid 100.</summary>
    private static LifecycleDriver Running()
    {
        var life = Singleton();
        life.Feed(new LifecycleEvent.Began());
        life.Feed(Open);
        life.Feed(new LifecycleEvent.LeaseAcquired("solo", 7));
        life.Feed(new LifecycleEvent.RunStarted(100));
        Assert.Equal(ProcessState.Running, life.State.State);
        return life;
    }

    [Fact]
    public void A_singleton_waits_for_the_cluster_without_trying_for_its_lease_until_the_node_is_up()
    {
        var life = Singleton();
        var begun = life.Feed(new LifecycleEvent.Began());
        Assert.Equal(ProcessState.Waiting, life.State.State);
        Assert.Equal("waiting for the cluster: this node has not joined the cluster yet", life.State.Reason);
        Assert.DoesNotContain(begun, e => e is Effect.AcquireLease or Effect.Launch);

        var forming = life.Feed(Closed("the cluster is not formed yet: 1 of min-nr-of-members = 3 up"));
        Assert.Equal("waiting for the cluster: the cluster is not formed yet: 1 of min-nr-of-members = 3 up", life.State.Reason);
        Assert.DoesNotContain(forming, e => e is Effect.AcquireLease);

        var opened = life.Feed(Open);
        Assert.Contains(opened, e => e is Effect.AcquireLease);
        Assert.Empty(opened.OfType<Effect.Launch>());
        var acquired = life.Feed(new LifecycleEvent.LeaseAcquired("solo", 7));
        Assert.Equal(7, Assert.Single(acquired.OfType<Effect.Launch>()).LeaseToken);
        Assert.Equal("initial start; this node is an up member of the cluster; lease solo acquired (token 7)", life.State.Reason);
    }

    [Fact]
    public void When_the_node_is_downed_a_running_singleton_is_SIGKILLed_at_once_and_its_lease_given_back_only_once_the_run_is_gone()
    {
        var life = Running();
        var closed = life.Feed(Closed("this node was downed (by the split brain resolver, or by an operator)"));
        Assert.True(Assert.Single(closed.OfType<Effect.StopGroup>()).KillNow);
        Assert.DoesNotContain(closed, e => e is Effect.ReleaseLease);
        Assert.Equal(ProcessState.Stopping, life.State.State);

        var gone = life.Ended(ExitStatus.Killed(9));
        Assert.Contains(gone, e => e is Effect.ReleaseLease);
        Assert.DoesNotContain(gone, e => e is Effect.Launch or Effect.AcquireLease);
        Assert.Equal(ProcessState.Waiting, life.State.State);
        Assert.StartsWith("waiting for the cluster: this node was downed", life.State.Reason);
        Assert.False(life.State.LeaseHeld);
    }

    [Fact]
    public void A_singleton_that_backs_off_gives_its_lease_back_when_the_gate_closes_and_waits_at_the_gate_for_its_restart()
    {
        var life = Running();
        life.Crash();
        Assert.Equal(ProcessState.BackingOff, life.State.State);
        Assert.True(life.State.LeaseHeld);

        Assert.Contains(life.Feed(Closed("this node is leaving the cluster")), e => e is Effect.ReleaseLease);
        var elapsed = life.At(S(5), new LifecycleEvent.BackoffElapsed());
        Assert.DoesNotContain(elapsed, e => e is Effect.Launch or Effect.AcquireLease);
        Assert.Equal("waiting for the cluster: this node is leaving the cluster", life.State.Reason);
    }

    [Fact]
    public void A_singleton_trying_for_its_lease_stops_trying_when_the_gate_closes_and_a_late_grant_is_given_back()
    {
        var life = Singleton();
        life.Feed(new LifecycleEvent.Began());
        life.Feed(Open);
        Assert.NotNull(life.State.LeaseStart);

        Assert.Contains(life.Feed(Closed("this node is exiting the cluster")), e => e is Effect.ReleaseLease);
        Assert.Equal("waiting for the cluster: this node is exiting the cluster", life.State.Reason);
        // The keeper's try was under way when it was told to stop: what it took goes straight back.
        var late = life.Feed(new LifecycleEvent.LeaseAcquired("solo", 8));
        Assert.Contains(late, e => e is Effect.ReleaseLease);
        Assert.DoesNotContain(late, e => e is Effect.Launch);
        Assert.False(life.State.LeaseHeld);

        // Up again: it tries anew.
        Assert.Contains(life.Feed(Open), e => e is Effect.AcquireLease);
    }

    [Fact]
    public void An_operators_stop_at_the_gate_keeps_the_singleton_stopped_when_the_gate_opens()
    {
        var life = Singleton();
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.StopRequested("stopped by request", Persist: true));
        Assert.Equal(ProcessState.Stopped, life.State.State);
        var opened = life.Feed(Open);
        Assert.DoesNotContain(opened, e => e is Effect.AcquireLease or Effect.Launch);
        Assert.Equal(ProcessState.Stopped, life.State.State);
    }

    [Fact]
    public void A_process_of_another_placement_ignores_the_gate()
    {
        var life = new LifecycleDriver(Service("web"));
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.RunStarted(100));
        var closed = life.Feed(Closed("this node was downed"));
        Assert.Empty(closed);
        Assert.Equal(ProcessState.Running, life.State.State);
    }
}
