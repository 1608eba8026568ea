using Actors.Configuration;
using Actors.Processes;
using Actors.Supervision;
using Actors.Timeouts;
using Xunit;
using static Actors.Core.Tests.Supervision.LifecycleDriver;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Supervision;

/// <summary>The decisions of one process's lifecycle, as a pure function: no actors, no clocks, time moved by hand.</summary>
public class ProcessLifecycleSpec
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Crash_loop_schedules_starts_after_1s_then_2s_and_the_third_crash_hits_the_start_limit_of_3_and_fails()
    {
        var life = new LifecycleDriver(Service() with { StartLimit = new StartLimitSettings(3, TimeSpan.FromMinutes(10)) });
        Assert.Single(life.Feed(new LifecycleEvent.Began()).OfType<Effect.Launch>());
        life.Feed(new LifecycleEvent.RunStarted(100));
        Assert.Equal(ProcessState.Running, life.State.State);

        Assert.Equal(S(1), Assert.Single(life.Crash().OfType<Effect.ScheduleStart>()).Delay);
        Assert.Equal(ProcessState.BackingOff, life.State.State);
        Assert.Equal(2, Assert.Single(life.At(S(1), new LifecycleEvent.BackoffElapsed()).OfType<Effect.Launch>()).Run);
        Assert.Equal(S(2), Assert.Single(life.Crash().OfType<Effect.ScheduleStart>()).Delay);
        Assert.Equal(3, Assert.Single(life.At(S(3), new LifecycleEvent.BackoffElapsed()).OfType<Effect.Launch>()).Run);

        var last = life.Crash();
        Assert.Empty(last.OfType<Effect.ScheduleStart>());
        Assert.Equal(ProcessState.Failed, life.State.State);
        Assert.StartsWith("start limit hit: 3 starts within 10m; last run exited with code 1", life.State.Reason);
        Assert.Equal(2, life.State.Intent.Restarts);
    }

    [Fact]
    public void Crash_loop_with_a_start_limit_out_of_reach_keeps_only_the_starts_within_the_interval()
    {
        // The soak bench's process: no backoff, a burst nothing reaches. The state must not keep every start it
        // ever made (it did: one list node per restart, copied whole at each start).
        var life = new LifecycleDriver(Service() with
        {
            Backoff = new BackoffSettings(TimeSpan.Zero, TimeSpan.Zero, 0, S(60)),
            StartLimit = new StartLimitSettings(1_000_000_000, S(1)),
        });
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.RunStarted(100));
        for (int i = 1; i <= 10_000; i++)
        {
            life.At(TimeSpan.FromMilliseconds(10 * i), new LifecycleEvent.RunEnded(ExitStatus.Exited(1), "exited with code 1", true, null));
            life.Feed(new LifecycleEvent.BackoffElapsed());
            life.Feed(new LifecycleEvent.RunStarted(100 + i));
        }
        Assert.Equal(ProcessState.Running, life.State.State);
        Assert.Equal(10_000, life.State.Intent.Restarts);
        // A start every 10 ms: 100 of them within the last second, and the one that just left it.
        Assert.InRange(life.State.Starts.Count, 100, 101);
    }

    [Fact]
    public void Persisted_stop_is_saved_as_kept_stopped_survives_a_new_lifecycle_and_a_start_lifts_it()
    {
        var life = new LifecycleDriver(Service());
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.RunStarted(100));
        var stop = life.Feed(new LifecycleEvent.StopRequested("maintenance", Persist: true));
        Assert.True(Assert.Single(stop.OfType<Effect.SaveIntent>()).Intent.KeptStopped);
        Assert.Equal("maintenance", Assert.Single(stop.OfType<Effect.StopGroup>()).Reason);
        Assert.Contains(life.Ended(ExitStatus.Killed(15)), e => e is Effect.SettleStops);
        Assert.Equal(ProcessState.Stopped, life.State.State);

        // A node restart: the saved intent keeps it stopped.
        var next = new LifecycleDriver(Service(), life.State.Intent);
        Assert.Empty(next.Feed(new LifecycleEvent.Began()).OfType<Effect.Launch>());
        Assert.Equal(ProcessState.Stopped, next.State.State);
        Assert.StartsWith("maintenance at ", next.State.Reason);

        var start = next.Feed(new LifecycleEvent.StartRequested("started by request"));
        Assert.False(Assert.Single(start.OfType<Effect.SaveIntent>()).Intent.KeptStopped);
        Assert.Single(start.OfType<Effect.Launch>());
        Assert.Equal(ProcessState.Starting, next.State.State);
    }

    [Fact]
    public void Restarts_during_stopping_launch_nothing_until_the_run_ended_and_then_exactly_one_run()
    {
        var life = new LifecycleDriver(Service());
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.RunStarted(100));
        life.Feed(new LifecycleEvent.RestartRequested("first"));
        Assert.Equal(ProcessState.Stopping, life.State.State);
        Assert.Empty(life.Feed(new LifecycleEvent.RestartRequested("second")).OfType<Effect.Launch>());
        Assert.Empty(life.Feed(new LifecycleEvent.StartRequested("third")).OfType<Effect.Launch>());

        var ended = life.Ended(ExitStatus.Killed(15));
        Assert.Equal(2, Assert.Single(ended.OfType<Effect.Launch>()).Run);
        Assert.Equal(ProcessState.Starting, life.State.State);
        Assert.Equal("first", life.State.Reason);
        Assert.Equal(2, life.Effects.OfType<Effect.Launch>().Count());
    }

    [Fact]
    public void Run_deadline_stops_the_run_with_its_reason_and_the_end_is_recorded_as_exit_124()
    {
        var life = new LifecycleDriver(Service() with { Timeouts = new ProcessTimeouts(null, S(5)) });
        var begun = life.Feed(new LifecycleEvent.Began());
        Assert.Contains(new Effect.ArmDeadline(Deadline.Run, S(5), TimeSpan.Zero, 1), begun);
        life.Feed(new LifecycleEvent.RunStarted(100));

        var passed = life.At(S(5), new LifecycleEvent.DeadlinePassed(Deadline.Run, S(5), 1));
        Assert.Equal("timed out after 5s (timeout.run)", Assert.Single(passed.OfType<Effect.StopGroup>()).Reason);
        Assert.Equal(ProcessState.Stopping, life.State.State);
        Assert.Equal("timed out after 5s (timeout.run); SIGTERM to the group, SIGKILL after 10s", life.State.Reason);

        life.Ended(ExitStatus.Killed(15));
        Assert.Equal(ExitClassifier.TimedOutCode, life.State.LastExit?.Code);
        Assert.Equal(ProcessState.BackingOff, life.State.State);
        Assert.StartsWith("timed out after 5s (timeout.run); exited with ", life.State.Reason);
    }

    [Fact]
    public void Deadline_of_an_earlier_run_is_ignored()
    {
        var life = new LifecycleDriver(Service() with { Timeouts = new ProcessTimeouts(null, S(5)) });
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.RunStarted(100));
        life.Crash();
        life.At(S(1), new LifecycleEvent.BackoffElapsed());
        Assert.Empty(life.Feed(new LifecycleEvent.DeadlinePassed(Deadline.Run, S(5), 1)));
        Assert.Equal(ProcessState.Starting, life.State.State);
    }

    [Fact]
    public void Unmet_dependency_makes_the_start_wait_without_a_launch_and_its_ready_state_launches_it()
    {
        var life = new LifecycleDriver(Service() with { DependsOn = [new Dependency("db", DependencyCondition.Ready)] });
        Assert.Empty(life.Feed(new LifecycleEvent.Began()).OfType<Effect.Launch>());
        Assert.Equal(ProcessState.Waiting, life.State.State);
        Assert.Equal("waiting for db to be ready (db is not started yet)", life.State.Reason);

        Assert.Empty(life.Feed(new LifecycleEvent.DependencyChanged(new DependencyState("db", ProcessState.Running, "pid 7"))).OfType<Effect.Launch>());
        var ready = life.Feed(new LifecycleEvent.DependencyChanged(new DependencyState("db", ProcessState.Ready, "readiness: ok")));
        Assert.Single(ready.OfType<Effect.Launch>());
        Assert.Equal("initial start; dependencies met (db ready)", life.State.Reason);
    }

    [Fact]
    public void Failing_liveness_probe_stops_the_run_and_its_end_backs_off_as_a_failure_naming_the_probe()
    {
        var liveness = new ProbeSettings(ProbeRole.Liveness, new TcpProbeTarget("127.0.0.1", 1), TimeSpan.Zero, S(1), S(1), 1, 3);
        var life = new LifecycleDriver(Service() with { Probes = new ProbesSettings(null, liveness, null) });
        life.Feed(new LifecycleEvent.Began());
        Assert.Equal(liveness, Assert.Single(life.Feed(new LifecycleEvent.RunStarted(100)).OfType<Effect.StartProbe>()).Probe);

        var failed = life.Feed(new LifecycleEvent.ProbeFailed(ProbeRole.Liveness, "3 checks failed"));
        Assert.Contains(failed, e => e is Effect.StopProbes);
        Assert.Equal("liveness: 3 checks failed", Assert.Single(failed.OfType<Effect.StopGroup>()).Reason);

        Assert.Equal(S(1), Assert.Single(life.Ended(ExitStatus.Killed(15)).OfType<Effect.ScheduleStart>()).Delay);
        Assert.Equal(ProcessState.BackingOff, life.State.State);
        Assert.StartsWith("liveness: 3 checks failed; exited with ", life.State.Reason);
    }

    [Fact]
    public void Lease_held_elsewhere_keeps_the_start_waiting_and_acquiring_it_launches_under_its_token()
    {
        var life = new LifecycleDriver(Service() with { Lease = new ProcessLeaseSettings("web", "/tmp", S(1), S(10)) });
        var begun = life.Feed(new LifecycleEvent.Began());
        Assert.Contains(begun, e => e is Effect.AcquireLease);
        Assert.Empty(begun.OfType<Effect.Launch>());
        Assert.Equal(ProcessState.Waiting, life.State.State);

        var acquired = life.Feed(new LifecycleEvent.LeaseAcquired("web", 7));
        Assert.Equal(7, Assert.Single(acquired.OfType<Effect.Launch>()).LeaseToken);
        Assert.Equal("initial start; lease web acquired (token 7)", life.State.Reason);
    }

    [Fact]
    public void Same_seed_gives_the_same_jittered_delays()
    {
        List<TimeSpan> Delays(int seed)
        {
            var life = new LifecycleDriver(Service() with { Backoff = new BackoffSettings(S(1), S(60), 0.5, S(60)) }, seed: seed);
            life.Feed(new LifecycleEvent.Began());
            var delays = new List<TimeSpan>();
            for (var i = 0; i < 4; i++)
            {
                delays.Add(life.Crash().OfType<Effect.ScheduleStart>().Single().Delay);
                life.At(life.Now + delays[^1], new LifecycleEvent.BackoffElapsed());
            }
            return delays;
        }
        Assert.Equal(Delays(7), Delays(7));
    }
}
