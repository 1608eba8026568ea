using Akka.Actor;
using Actors.Configuration;
using Actors.Core.Tests.Simulation;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Supervision;

/// <summary>
/// A wall-clock step (hours back or forward, in the middle of a run) changes no decision: backoff reset, the
/// start-limit window and a job's retry budget decide on monotonic time. Each case runs with a step of 0 too, so
/// the expectation is visibly "as without the step".
/// </summary>
public sealed class ClockStepSpec : SupervisionSpec
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);
    private SteppedWallClock _wall = null!;

    private IActorRef Supervise(ProcessSettings settings, Func<int, SimulatedRun> script)
    {
        _wall = new SteppedWallClock(Clock);
        var options = Simulate((_, run) => script(run)) with { Clock = _wall.Clock };
        return Sys.ActorOf(ProcessSupervisor.Props(settings, options), settings.Name);
    }

    /// <summary>The chosen delay: the next start was shown on the wall clock, and the wall has not moved since.</summary>
    private TimeSpan Pending(ProcessStatus status) => status.NextStartAt!.Value - _wall.Wall;

    /// <summary>Lets a run of <paramref name="length"/> pass with the wall clock stepped by <paramref name="stepHours"/> halfway.</summary>
    private void RunWithStep(IActorRef supervisor, TimeSpan length, int stepHours)
    {
        AwaitState(supervisor, ProcessState.Running);
        Clock.Advance(length / 2);
        _wall.AdvanceWall(TimeSpan.FromHours(stepHours));
        Clock.Advance(length - length / 2);
        ExpectOs("exited");
    }

    /// <summary>A short crashing run, then the backoff it chose passes and the next run is launched.</summary>
    private void CrashAndRestart(IActorRef supervisor)
    {
        AwaitState(supervisor, ProcessState.Running);
        Clock.Advance(Short);
        ExpectOs("exited");
        Clock.Advance(Pending(AwaitState(supervisor, ProcessState.BackingOff)));
        ExpectOs("launched");
    }

    [Theory]
    [InlineData(0, 30, 4)]
    [InlineData(3, 30, 4)]  // forward: 30s of uptime are not 3 hours, the backoff keeps growing
    [InlineData(-3, 30, 4)]
    [InlineData(0, 61, 1)]
    [InlineData(3, 61, 1)]
    [InlineData(-3, 61, 1)] // back: 61s of uptime are not minus 3 hours, the backoff resets
    public void Backoff_resets_after_reset_after_of_uptime_whatever_the_wall_clock_does(int stepHours, int uptimeSeconds, int expectedDelaySeconds)
    {
        var settings = Process() with { Backoff = new BackoffSettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 0, TimeSpan.FromSeconds(60)) };
        var supervisor = Supervise(settings, run => SimulatedRun.Exits(1, run == 3 ? TimeSpan.FromSeconds(uptimeSeconds) : Short));
        ExpectOs("launched");
        CrashAndRestart(supervisor); // 1s
        CrashAndRestart(supervisor); // 2s
        RunWithStep(supervisor, TimeSpan.FromSeconds(uptimeSeconds), stepHours);
        Assert.Equal(TimeSpan.FromSeconds(expectedDelaySeconds), Pending(AwaitState(supervisor, ProcessState.BackingOff)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]  // forward: the two earlier starts would seem hours old and drop out of the window
    [InlineData(-3)]
    public void The_start_limit_still_gives_up_when_the_wall_clock_steps_inside_the_window(int stepHours)
    {
        var settings = Process() with { StartLimit = new StartLimitSettings(3, TimeSpan.FromMinutes(1)) };
        var supervisor = Supervise(settings, _ => SimulatedRun.Exits(7, Short));
        ExpectOs("launched");
        CrashAndRestart(supervisor);
        CrashAndRestart(supervisor);
        RunWithStep(supervisor, Short, stepHours);
        var failed = AwaitState(supervisor, ProcessState.Failed);
        Assert.Contains("start limit hit: 3 starts within 60s", failed.Reason);
        Assert.Equal(3, Launcher.RunsOf("web"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(-3)] // back: starts made minutes ago would seem to lie hours in the future and count for ever
    public void Starts_older_than_the_window_stop_counting_when_the_wall_clock_steps(int stepHours)
    {
        var settings = Process() with
        {
            StartLimit = new StartLimitSettings(3, TimeSpan.FromMinutes(1)),
            Backoff = new BackoffSettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 0, TimeSpan.FromHours(1)),
        };
        var supervisor = Supervise(settings, run => SimulatedRun.Exits(7, run == 3 ? TimeSpan.FromMinutes(2) : Short));
        ExpectOs("launched");
        CrashAndRestart(supervisor);
        CrashAndRestart(supervisor);
        RunWithStep(supervisor, TimeSpan.FromMinutes(2), stepHours);
        var backingOff = AwaitState(supervisor, ProcessState.BackingOff);
        Clock.Advance(Pending(backingOff));
        ExpectOs("launched");
        Assert.Equal(4, Launcher.RunsOf("web"));
    }

    [Theory]
    [InlineData(0, 10, ProcessState.BackingOff)]
    [InlineData(3, 10, ProcessState.BackingOff)]  // forward: 10s of a 60s budget are not spent by a step
    [InlineData(-3, 10, ProcessState.BackingOff)]
    [InlineData(0, 59.5, ProcessState.Failed)]
    [InlineData(3, 59.5, ProcessState.Failed)]
    [InlineData(-3, 59.5, ProcessState.Failed)]   // back: a retry 1s later would still start after the budget ends
    public void A_jobs_retry_budget_is_spent_by_time_that_passed_not_by_a_wall_clock_step(int stepHours, double runSeconds, ProcessState expected)
    {
        var settings = Process("fetch") with
        {
            Kind = ProcessKind.Job,
            Restart = RestartPolicy.OnFailure,
            Retry = RetrySettings.Default with { MaxAttempts = 10, Budget = TimeSpan.FromMinutes(1) },
        };
        var job = Supervise(settings, _ => SimulatedRun.Exits(1, TimeSpan.FromSeconds(runSeconds)));
        ExpectOs("launched");
        RunWithStep(job, TimeSpan.FromSeconds(runSeconds), stepHours);
        var status = AwaitState(job, expected);
        if (expected == ProcessState.Failed)
            Assert.Contains("the next attempt (in 1s) would start after the retry budget of 60s ends", status.Reason);
        else
            Assert.Contains("attempt 2 of 10 in 1s", status.Reason);
    }
}
