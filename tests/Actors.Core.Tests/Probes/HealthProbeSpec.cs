using Akka.Actor;
using Akka.TestKit;
using Actors.Configuration;
using Actors.Probes;
using Xunit;
using static Actors.Probes.HealthProbe;

namespace Actors.Core.Tests.Probes;

/// <summary>
/// The probe actor on virtual time: when checks run, how timeouts and overlapping periods are handled, and when
/// thresholds are reported. The test actor is the probe's parent, so it receives every report.
/// </summary>
public sealed class HealthProbeSpec() : Akka.TestKit.Xunit2.TestKit(
    "akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"\nakka.loglevel = WARNING")
{
    private static readonly TimeSpan InitialDelay = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    private readonly ScriptedCheck _check = new();

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    private static ProbeSettings Settings(
        ProbeRole role = ProbeRole.Liveness, int successThreshold = 1, int failureThreshold = 3, double timeoutSeconds = 1) =>
        new(role, new TcpProbeTarget("127.0.0.1", 1), InitialDelay, Period, TimeSpan.FromSeconds(timeoutSeconds),
            successThreshold, failureThreshold);

    /// <summary>Starts the probe as a child of the test actor and waits until its timers are set.</summary>
    private async Task<IActorRef> StartProbe(ProbeSettings settings, IProbeCheck? check = null)
    {
        var probe = ChildActorOf(HealthProbe.Props(settings, check ?? _check));
        await Settled(probe);
        return probe;
    }

    /// <summary>
    /// Identify goes through the mailbox: once answered, every message sent before it (a timer that Advance
    /// fired) has been handled.
    /// </summary>
    private static async Task Settled(IActorRef probe) =>
        await probe.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(5));

    private async Task Advance(IActorRef probe, TimeSpan by)
    {
        Clock.Advance(by);
        await Settled(probe);
    }

    /// <summary>No check started: the ticks are handled (Settled), and a started check would show within the grace.</summary>
    private async Task ExpectNoCheck(IActorRef probe)
    {
        await Settled(probe);
        await Task.Delay(TimeSpan.FromMilliseconds(100));
        Assert.False(_check.AnyStarted, "a check started");
    }

    /// <summary>Moves to the next check, lets <paramref name="complete"/> end it and returns the reported result.</summary>
    private async Task<ProbeChecked> Check(IActorRef probe, TimeSpan after, Action<PendingCheck> complete)
    {
        await Advance(probe, after);
        complete(await _check.NextAsync());
        return await ExpectMsgAsync<ProbeChecked>();
    }

    [Fact]
    public async Task First_check_runs_after_the_initial_delay_and_not_before()
    {
        var probe = await StartProbe(Settings());

        await Advance(probe, InitialDelay - TimeSpan.FromMilliseconds(1));
        await ExpectNoCheck(probe);

        await Advance(probe, TimeSpan.FromMilliseconds(1));
        (await _check.NextAsync()).Pass("HTTP 200");
        Assert.Equal(new ProbeChecked(ProbeRole.Liveness, true, "HTTP 200"), await ExpectMsgAsync<ProbeChecked>());
    }

    [Fact]
    public async Task Checks_repeat_every_period_counted_from_the_start_of_the_previous_check()
    {
        var probe = await StartProbe(Settings(timeoutSeconds: 4));
        await Advance(probe, InitialDelay);
        var first = await _check.NextAsync();

        // The first check takes 3s; the next is still due 5s after the first started, not 5s after it ended.
        await Advance(probe, TimeSpan.FromSeconds(3));
        first.Pass();
        await ExpectMsgAsync<ProbeChecked>();
        await ExpectMsgAsync<ProbePassed>(); // from unknown: the first pass is reported
        await Advance(probe, TimeSpan.FromSeconds(1));
        await ExpectNoCheck(probe);

        await Advance(probe, TimeSpan.FromSeconds(1));
        (await _check.NextAsync()).Pass();
        await ExpectMsgAsync<ProbeChecked>();
    }

    [Fact]
    public async Task Reaching_the_failure_threshold_reports_one_ProbeFailed_with_the_count_and_not_again()
    {
        var probe = await StartProbe(Settings(failureThreshold: 3));
        await Check(probe, InitialDelay, c => c.Fail("HTTP 503"));
        await Check(probe, Period, c => c.Fail("HTTP 503"));
        Assert.Equal(new ProbeChecked(ProbeRole.Liveness, false, "HTTP 500"), await Check(probe, Period, c => c.Fail("HTTP 500")));
        Assert.Equal(new ProbeFailed(ProbeRole.Liveness, "HTTP 500 (3 in a row)"), await ExpectMsgAsync<ProbeFailed>());

        // Still failing: every check is reported, the failure is not (ExpectMsg of ProbeChecked rejects anything else).
        await Check(probe, Period, c => c.Fail("HTTP 503"));
        await Check(probe, Period, c => c.Fail("HTTP 503"));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_failure_threshold_of_one_reports_the_detail_alone()
    {
        var probe = await StartProbe(Settings(failureThreshold: 1));
        await Check(probe, InitialDelay, c => c.Fail("connection refused"));
        Assert.Equal(new ProbeFailed(ProbeRole.Liveness, "connection refused"), await ExpectMsgAsync<ProbeFailed>());
    }

    [Fact]
    public async Task A_pass_breaks_a_run_of_failures_so_the_count_starts_again()
    {
        var probe = await StartProbe(Settings(failureThreshold: 2));
        await Check(probe, InitialDelay, c => c.Fail("exit code 1"));
        await Check(probe, Period, c => c.Pass());
        Assert.Equal(new ProbePassed(ProbeRole.Liveness, "ok"), await ExpectMsgAsync<ProbePassed>());
        await Check(probe, Period, c => c.Fail("exit code 1"));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        await Check(probe, Period, c => c.Fail("exit code 2"));
        Assert.Equal(new ProbeFailed(ProbeRole.Liveness, "exit code 2 (2 in a row)"), await ExpectMsgAsync<ProbeFailed>());
    }

    [Fact]
    public async Task Passes_after_a_reported_failure_report_ProbePassed_once_and_the_probe_keeps_checking()
    {
        var probe = await StartProbe(Settings(ProbeRole.Readiness, failureThreshold: 1));
        await Check(probe, InitialDelay, c => c.Fail("HTTP 503"));
        await ExpectMsgAsync<ProbeFailed>();

        await Check(probe, Period, c => c.Pass("HTTP 200"));
        Assert.Equal(new ProbePassed(ProbeRole.Readiness, "HTTP 200"), await ExpectMsgAsync<ProbePassed>());
        await Check(probe, Period, c => c.Pass("HTTP 200"));

        // Readiness flips back and forth: a new failure is reported again.
        await Check(probe, Period, c => c.Fail("HTTP 503"));
        Assert.Equal(new ProbeFailed(ProbeRole.Readiness, "HTTP 503"), await ExpectMsgAsync<ProbeFailed>());
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_success_threshold_above_one_needs_that_many_passes_in_a_row()
    {
        var probe = await StartProbe(Settings(ProbeRole.Readiness, successThreshold: 2, failureThreshold: 1));
        await Check(probe, InitialDelay, c => c.Pass());
        await Check(probe, Period, c => c.Fail("HTTP 503")); // breaks the run, and is reported (from unknown)
        await ExpectMsgAsync<ProbeFailed>();
        await Check(probe, Period, c => c.Pass());
        await Check(probe, Period, c => c.Pass("HTTP 204"));
        Assert.Equal(new ProbePassed(ProbeRole.Readiness, "HTTP 204"), await ExpectMsgAsync<ProbePassed>());
        await Check(probe, Period, c => c.Pass());
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_check_that_outlives_the_timeout_fails_is_cancelled_and_its_late_answer_is_ignored()
    {
        var probe = await StartProbe(Settings(failureThreshold: 1, timeoutSeconds: 1));
        await Advance(probe, InitialDelay);
        var slow = await _check.NextAsync();

        await Advance(probe, TimeSpan.FromMilliseconds(999));
        Assert.False(slow.Token.IsCancellationRequested);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        await Advance(probe, TimeSpan.FromMilliseconds(1));
        Assert.Equal(new ProbeChecked(ProbeRole.Liveness, false, "timed out after 1s"), await ExpectMsgAsync<ProbeChecked>());
        Assert.Equal(new ProbeFailed(ProbeRole.Liveness, "timed out after 1s"), await ExpectMsgAsync<ProbeFailed>());
        await slow.AwaitCancelledAsync();

        slow.Pass("too late");
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        // The next check runs on schedule and counts.
        await Advance(probe, Period - TimeSpan.FromSeconds(1));
        (await _check.NextAsync()).Pass("HTTP 200");
        Assert.Equal(new ProbeChecked(ProbeRole.Liveness, true, "HTTP 200"), await ExpectMsgAsync<ProbeChecked>());
        await ExpectMsgAsync<ProbePassed>();
    }

    [Fact]
    public async Task A_tick_that_finds_a_check_still_running_is_skipped_never_two_checks_at_once()
    {
        var probe = await StartProbe(Settings(timeoutSeconds: 30));
        await Advance(probe, InitialDelay);
        var slow = await _check.NextAsync();

        await Advance(probe, Period);
        await ExpectNoCheck(probe);
        await Advance(probe, Period);
        await ExpectNoCheck(probe);

        slow.Pass();
        await ExpectMsgAsync<ProbeChecked>();
        await ExpectMsgAsync<ProbePassed>();
        await Check(probe, Period, c => c.Pass());
    }

    [Fact]
    public async Task A_check_that_ignores_cancellation_is_never_run_twice_is_reported_stuck_and_checks_resume_once_it_ends()
    {
        var probe = await StartProbe(Settings(failureThreshold: 3, timeoutSeconds: 1));
        await Advance(probe, InitialDelay);
        var stuck = await _check.NextAsync(); // it never looks at its token: only the test ends it

        await Advance(probe, TimeSpan.FromSeconds(1));
        Assert.Equal(new ProbeChecked(ProbeRole.Liveness, false, "timed out after 1s"), await ExpectMsgAsync<ProbeChecked>());
        await stuck.AwaitCancelledAsync();

        // The tick 5s after the cancellation: it may still be ending (a killed command takes a moment), no check starts.
        await Advance(probe, Period);
        await ExpectNoCheck(probe);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        // From 10s after the cancellation on, and twenty periods later still, every tick fails as stuck with its age,
        // and none starts a second check.
        for (var period = 2; period <= 20; period++)
        {
            await Advance(probe, Period);
            var age = TimeSpan.FromSeconds(1) + period * Period; // the virtual time since the check started
            Assert.Equal(
                new ProbeChecked(ProbeRole.Liveness, false,
                    $"check stuck for {HeartbeatFileProbeCheck.Age(age)}: it did not end when cancelled at the 1s timeout; no new check until it does"),
                await ExpectMsgAsync<ProbeChecked>());
            if (period == 3)
                Assert.StartsWith("check stuck for 16s", (await ExpectMsgAsync<ProbeFailed>()).Reason);
        }
        await ExpectNoCheck(probe);
        Assert.Equal(1, _check.Count);

        // It ends at last: its late answer is not counted, and the next period runs a new check that counts.
        stuck.Pass("too late");
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        await Advance(probe, Period);
        (await _check.NextAsync()).Pass("HTTP 200");
        Assert.Equal(new ProbeChecked(ProbeRole.Liveness, true, "HTTP 200"), await ExpectMsgAsync<ProbeChecked>());
        Assert.Equal(new ProbePassed(ProbeRole.Liveness, "HTTP 200"), await ExpectMsgAsync<ProbePassed>());
        Assert.Equal(2, _check.Count);
    }

    [Fact]
    public async Task A_tick_that_finds_the_timed_out_check_still_ending_runs_the_next_check_once_it_has_ended()
    {
        var probe = await StartProbe(Settings(failureThreshold: 1, timeoutSeconds: 3));
        await Advance(probe, InitialDelay);
        var slow = await _check.NextAsync();

        await Advance(probe, TimeSpan.FromSeconds(3));
        Assert.Equal(new ProbeChecked(ProbeRole.Liveness, false, "timed out after 3s"), await ExpectMsgAsync<ProbeChecked>());
        await ExpectMsgAsync<ProbeFailed>();
        await slow.AwaitCancelledAsync();

        // The tick 2s after the cancellation: still within its grace to end, so not stuck, and no second check yet.
        await Advance(probe, TimeSpan.FromSeconds(2));
        await ExpectNoCheck(probe);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        // It ends: the deferred check runs at once, without waiting for another period.
        slow.Fail("cancelled");
        (await _check.NextAsync()).Pass();
        Assert.Equal(new ProbeChecked(ProbeRole.Liveness, true, "ok"), await ExpectMsgAsync<ProbeChecked>());
        Assert.Equal(2, _check.Count);
    }

    [Fact]
    public async Task A_check_that_throws_counts_as_a_failure_with_the_exception_message()
    {
        var probe = await StartProbe(Settings(failureThreshold: 1));
        await Check(probe, InitialDelay, c => c.Throw(new InvalidOperationException("disk on fire")));
        Assert.Equal(new ProbeFailed(ProbeRole.Liveness, "disk on fire"), await ExpectMsgAsync<ProbeFailed>());
    }

    [Fact]
    public async Task A_check_that_throws_before_returning_a_task_counts_as_a_failure()
    {
        var probe = await StartProbe(Settings(failureThreshold: 1), new ThrowingCheck());
        await Advance(probe, InitialDelay);
        Assert.Equal(new ProbeChecked(ProbeRole.Liveness, false, "no such thing"), await ExpectMsgAsync<ProbeChecked>());
        await ExpectMsgAsync<ProbeFailed>();
    }

    [Fact]
    public async Task Stopping_the_probe_cancels_the_running_check()
    {
        var probe = await StartProbe(Settings(timeoutSeconds: 30));
        await Advance(probe, InitialDelay);
        var running = await _check.NextAsync();

        Sys.Stop(probe);
        await running.AwaitCancelledAsync();
    }

    [Fact]
    public void Child_names_follow_the_role()
    {
        Assert.Equal("probe-startup", ChildName(ProbeRole.Startup));
        Assert.Equal("probe-liveness", ChildName(ProbeRole.Liveness));
        Assert.Equal("probe-readiness", ChildName(ProbeRole.Readiness));
    }

    private sealed class ThrowingCheck : IProbeCheck
    {
        public Task<ProbeOutcome> RunAsync(CancellationToken cancellationToken) =>
            throw new FileNotFoundException("no such thing");
    }
}
