using Actors.Configuration;
using Actors.Supervision;
using Actors.Timeouts;
using Xunit;

namespace Actors.Core.Tests.Supervision;

/// <summary><c>readiness = notify</c> in the pure lifecycle: what READY=1 does, and when it does not count yet.</summary>
public sealed class NotifyReadinessLifecycleSpec
{
    private static ProcessSettings Notify(ProbeSettings? startup = null) =>
        LifecycleDriver.Service() with
        {
            Readiness = ReadinessSource.Notify,
            Probes = new ProbesSettings(startup, null, null),
            Timeouts = new ProcessTimeouts(TimeSpan.FromSeconds(30), null),
        };

    [Fact]
    public void READY_1_makes_a_running_process_ready_and_meets_its_start_deadline()
    {
        var life = new LifecycleDriver(Notify());
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.RunStarted(100));
        Assert.Equal(ProcessState.Running, life.State.State);
        Assert.Empty(life.Feed(new LifecycleEvent.Notified("STATUS=loading")).OfType<Effect.Report>());
        Assert.Equal(ProcessState.Running, life.State.State);

        var ready = life.Feed(new LifecycleEvent.Notified("READY=1\nSTATUS=serving"));
        Assert.Equal(ProcessState.Ready, life.State.State);
        Assert.Equal("readiness: READY=1 (serving)", life.State.Reason);
        Assert.Contains(ready, e => e is Effect.DisarmDeadline { Deadline: Deadline.Start });
        var check = Assert.Single(ProcessLifecycle.ProbesView(life.State));
        Assert.Equal((ProbeRole.Readiness, "notify", (bool?)true, "serving"), (check.Role, check.Type, check.Passing, check.LastCheck));
    }

    [Fact]
    public void READY_1_before_the_pid_is_known_counts_once_the_run_has_started()
    {
        var life = new LifecycleDriver(Notify());
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.Notified("READY=1"));
        Assert.Equal(ProcessState.Starting, life.State.State);
        life.Feed(new LifecycleEvent.RunStarted(100));
        Assert.Equal(ProcessState.Ready, life.State.State);
        Assert.Equal("readiness: READY=1", life.State.Reason);
    }

    [Fact]
    public void READY_1_waits_for_the_startup_probe_to_pass()
    {
        var startup = new ProbeSettings(ProbeRole.Startup, new TcpProbeTarget("127.0.0.1", 80), TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 1, 3);
        var life = new LifecycleDriver(Notify(startup));
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.RunStarted(100));
        life.Feed(new LifecycleEvent.Notified("READY=1"));
        Assert.NotEqual(ProcessState.Ready, life.State.State);
        life.Feed(new LifecycleEvent.ProbePassed(ProbeRole.Startup, "connected"));
        Assert.Equal(ProcessState.Ready, life.State.State);
    }

    [Fact]
    public void A_new_run_starts_not_ready_until_it_says_READY_1_itself()
    {
        var life = new LifecycleDriver(Notify());
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.RunStarted(100));
        life.Feed(new LifecycleEvent.Notified("READY=1"));
        Assert.Equal(ProcessState.Ready, life.State.State);
        life.Crash();
        life.At(TimeSpan.FromSeconds(5), new LifecycleEvent.BackoffElapsed());
        life.Feed(new LifecycleEvent.RunStarted(101));
        Assert.Equal(ProcessState.Running, life.State.State);
        Assert.Null(Assert.Single(ProcessLifecycle.ProbesView(life.State)).Passing);
        life.Feed(new LifecycleEvent.Notified("READY=1"));
        Assert.Equal(ProcessState.Ready, life.State.State);
    }

    [Fact]
    public void A_process_without_readiness_notify_ignores_notifications()
    {
        var life = new LifecycleDriver(LifecycleDriver.Service());
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.RunStarted(100));
        life.Feed(new LifecycleEvent.Notified("READY=1"));
        Assert.Equal(ProcessState.Running, life.State.State);
    }
}
