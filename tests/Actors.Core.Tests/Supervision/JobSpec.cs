using Akka.Actor;
using Actors.Configuration;
using Actors.Core.Tests.Simulation;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Supervision;

/// <summary>Jobs on virtual time: exit-code classes and presets, attempts, run timeouts (exit 124) and the retry budget.</summary>
public sealed class JobSpec : SupervisionSpec
{
    private static readonly TimeSpan Run = TimeSpan.FromMilliseconds(100);

    private static ProcessSettings Job(string name = "fetch", int attempts = 3, string? preset = "curl")
    {
        var settings = Process(name) with
        {
            Kind = ProcessKind.Job,
            Restart = RestartPolicy.OnFailure,
            Retry = RetrySettings.Default with { MaxAttempts = attempts, Preset = preset },
        };
        if (preset is not null && RetryPresets.TryGet(preset, out var transient, out var permanent))
            settings = settings with { TransientExitCodes = transient, PermanentExitCodes = permanent };
        return settings;
    }

    /// <summary>Lets the current run end (its scripted run time passes).</summary>
    private void RunEnds(IActorRef job, TimeSpan? after = null)
    {
        AwaitState(job, ProcessState.Running);
        Clock.Advance(after ?? Run);
        ExpectOs("exited");
    }

    private void Retries(IActorRef job)
    {
        var status = AwaitState(job, ProcessState.BackingOff);
        Clock.Advance(PendingDelay(status));
        ExpectOs("launched");
    }

    [Fact]
    public void A_curl_job_that_exits_22_fails_at_once_without_a_retry()
    {
        var job = Supervise(Job(), (_, _) => SimulatedRun.Exits(22));
        ExpectOs("launched");
        RunEnds(job);
        var failed = AwaitState(job, ProcessState.Failed);
        Assert.Contains("exited with code 22", failed.Reason);
        Assert.Contains("code 22 is permanent (curl preset): not retried", failed.Reason);
        Assert.Equal(1, Launcher.RunsOf("fetch"));
    }

    [Fact]
    public void A_curl_job_that_exits_28_is_retried_and_completes_when_a_retry_succeeds()
    {
        var job = Supervise(Job(), (_, run) => SimulatedRun.Exits(run < 3 ? 28 : 0));
        ExpectOs("launched");
        RunEnds(job);
        var backingOff = AwaitState(job, ProcessState.BackingOff);
        Assert.Contains("code 28 is transient (curl preset); attempt 2 of 3 in 1s", backingOff.Reason);
        Clock.Advance(PendingDelay(backingOff));
        ExpectOs("launched");
        RunEnds(job);
        Retries(job);
        RunEnds(job);
        var done = AwaitState(job, ProcessState.Completed);
        Assert.Contains("exited with code 0", done.Reason);
        Assert.Contains("completed", done.Reason);
        Assert.Equal(3, Launcher.RunsOf("fetch"));
        Assert.Contains(done.Trail, t => t.State == ProcessState.Starting && t.Reason.Contains("(attempt 3 of 3)"));
    }

    [Fact]
    public void A_job_out_of_attempts_fails_and_says_so()
    {
        var job = Supervise(Job(attempts: 2), (_, _) => SimulatedRun.Exits(56));
        ExpectOs("launched");
        RunEnds(job);
        Retries(job);
        RunEnds(job);
        var failed = AwaitState(job, ProcessState.Failed);
        Assert.Contains("code 56 is transient (curl preset); out of attempts (2 of 2)", failed.Reason);
        Assert.Equal(2, Launcher.RunsOf("fetch"));
    }

    [Fact]
    public void An_unclassified_code_is_retried_and_a_sigint_is_permanent()
    {
        var job = Supervise(Job(preset: null), (_, run) => run == 1 ? SimulatedRun.Exits(1) : SimulatedRun.Killed(2));
        ExpectOs("launched");
        RunEnds(job);
        Assert.Contains("code 1 is not classified, so retried", AwaitState(job, ProcessState.BackingOff).Reason);
        Retries(job);
        RunEnds(job);
        var failed = AwaitState(job, ProcessState.Failed);
        Assert.Contains("killed by SIGINT (someone's Ctrl-C), permanent: not retried", failed.Reason);
        Assert.Equal(2, failed.LastExit!.Signal);
    }

    [Fact]
    public void A_job_at_its_run_timeout_is_stopped_and_recorded_as_exit_124()
    {
        var settings = Job(attempts: 1) with { Timeouts = new ProcessTimeouts(null, TimeSpan.FromSeconds(5)) };
        var job = Supervise(settings, (_, _) => SimulatedRun.RunsForever());
        ExpectOs("launched");
        AwaitState(job, ProcessState.Running);
        Clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(ProcessState.Running, StatusOf(job).State);
        Clock.Advance(TimeSpan.FromMilliseconds(100));
        ExpectOs("signal 15");
        ExpectOs("exited");
        var failed = AwaitState(job, ProcessState.Failed);
        Assert.Equal(124, failed.LastExit!.Code);
        Assert.Contains("timed out after 5s (timeout.run)", failed.Reason);
        Assert.Contains("out of attempts (1 of 1)", failed.Reason);
    }

    [Fact]
    public void A_timed_out_run_is_transient_and_retried()
    {
        var settings = Job() with { Timeouts = new ProcessTimeouts(null, TimeSpan.FromSeconds(5)) };
        var job = Supervise(settings, (_, run) => run == 1 ? SimulatedRun.RunsForever() : SimulatedRun.Exits(0));
        ExpectOs("launched");
        AwaitState(job, ProcessState.Running);
        Clock.Advance(TimeSpan.FromSeconds(5));
        ExpectOs("signal 15");
        ExpectOs("exited");
        Assert.Contains("timed out (exit 124), a transient failure; attempt 2 of 3", AwaitState(job, ProcessState.BackingOff).Reason);
        Retries(job);
        RunEnds(job);
        AwaitState(job, ProcessState.Completed);
    }

    [Fact]
    public void The_retry_budget_bounds_the_whole_job_across_attempts()
    {
        // Runs of 3s failing with a transient code, 1s then 2s then 4s between: the third attempt would start at
        // 3+1+3+2 = 9s, still inside 10s; it is cut at 10s and the job fails with exit 124.
        var settings = Job(attempts: 10) with { Retry = RetrySettings.Default with { MaxAttempts = 10, Budget = TimeSpan.FromSeconds(10), Preset = "curl" } };
        var job = Supervise(settings, (_, _) => SimulatedRun.Exits(28, TimeSpan.FromSeconds(3)));
        ExpectOs("launched");
        RunEnds(job, TimeSpan.FromSeconds(3));
        Retries(job);
        RunEnds(job, TimeSpan.FromSeconds(3));
        Retries(job);
        AwaitState(job, ProcessState.Running);
        Clock.Advance(TimeSpan.FromSeconds(1));
        ExpectOs("signal 15");
        ExpectOs("exited");
        var failed = AwaitState(job, ProcessState.Failed);
        Assert.Contains("retry budget of 10s spent", failed.Reason);
        Assert.Equal(124, failed.LastExit!.Code);
        Assert.Equal(3, Launcher.RunsOf("fetch"));
    }

    [Fact]
    public void A_retry_that_would_start_after_the_budget_is_not_made()
    {
        var settings = Job(attempts: 10) with { Retry = RetrySettings.Default with { MaxAttempts = 10, Budget = TimeSpan.FromSeconds(5), Preset = "curl" } };
        var job = Supervise(settings, (_, _) => SimulatedRun.Exits(28, TimeSpan.FromSeconds(4.5)));
        ExpectOs("launched");
        RunEnds(job, TimeSpan.FromSeconds(4.5));
        var failed = AwaitState(job, ProcessState.Failed);
        Assert.Contains("the next attempt (in 1s) would start after the retry budget of 5s ends", failed.Reason);
    }

    [Fact]
    public void A_permanent_code_stops_a_service_from_restarting()
    {
        var settings = Process() with { PermanentExitCodes = new HashSet<int> { 78 } };
        var service = Supervise(settings, (_, _) => SimulatedRun.Exits(78));
        ExpectOs("launched");
        RunEnds(service);
        var failed = AwaitState(service, ProcessState.Failed);
        Assert.Contains("code 78 is permanent: not retried", failed.Reason);
        Assert.Equal(1, Launcher.RunsOf("web"));
    }

    [Fact]
    public void An_operator_start_gives_a_failed_job_fresh_attempts()
    {
        var job = Supervise(Job(attempts: 1), (_, run) => SimulatedRun.Exits(run == 1 ? 7 : 0));
        ExpectOs("launched");
        RunEnds(job);
        AwaitState(job, ProcessState.Failed);
        job.Tell(new StartProcess());
        ExpectOs("launched");
        RunEnds(job);
        AwaitState(job, ProcessState.Completed);
    }
}
