using Akka.Actor;
using Actors.Configuration;
using Actors.Core.Tests.Simulation;
using Actors.Processes;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Supervision;

/// <summary>
/// hooks.pre-start and hooks.post-stop through the real supervisor and runner, on virtual time, with scripted hook
/// outcomes: a failing pre-start is a failed start (backoff, start limit); post-stop follows every run with its exit.
/// </summary>
public sealed class HookSupervisionSpec : SupervisionSpec
{
    private static readonly HookSettings PreStart = new("pre-start", "/usr/local/bin/prepare", ["--check"], TimeSpan.FromSeconds(30));
    private static readonly HookSettings PostStop = new("post-stop", "/usr/local/bin/cleanup", [], TimeSpan.FromSeconds(30));

    private IActorRef Supervise(ProcessSettings settings, Func<string, int, SimulatedRun> script, Func<HookRequest, HookOutcome>? hooks)
    {
        var options = Simulate(script);
        Launcher.Hooks = hooks;
        return Sys.ActorOf(ProcessSupervisor.Props(settings, options), settings.Name);
    }

    [Fact]
    public void A_failing_pre_start_hook_is_a_failed_start_that_backs_off_and_hits_the_start_limit()
    {
        var settings = Process() with
        {
            Hooks = new HooksSettings(PreStart, null),
            StartLimit = new StartLimitSettings(3, TimeSpan.FromMinutes(10)),
        };
        var supervisor = Supervise(settings, (_, _) => SimulatedRun.RunsForever(), _ => new HookOutcome("exited with code 1: disk full"));
        ExpectOs("hook pre-start");
        var first = AwaitState(supervisor, ProcessState.BackingOff);
        Assert.Contains("pre-start hook exited with code 1: disk full", first.Reason);
        Assert.Equal(TimeSpan.FromSeconds(1), PendingDelay(first));
        Clock.Advance(PendingDelay(first));
        ExpectOs("hook pre-start");
        var second = AwaitState(supervisor, ProcessState.BackingOff);
        Assert.Equal(TimeSpan.FromSeconds(2), PendingDelay(second));
        Clock.Advance(PendingDelay(second));
        ExpectOs("hook pre-start");
        var failed = AwaitState(supervisor, ProcessState.Failed);
        Assert.Contains("start limit hit: 3 starts", failed.Reason);
        Assert.Contains("pre-start hook exited with code 1", failed.Reason);
        Assert.Equal(0, Launcher.RunsOf("web"));
    }

    [Fact]
    public void A_succeeding_pre_start_hook_runs_before_each_launch_in_the_process_s_folder_and_environment()
    {
        var settings = Process() with { Hooks = new HooksSettings(PreStart, null) };
        var supervisor = Supervise(settings, (_, _) => SimulatedRun.RunsForever(), null);
        ExpectOs("hook pre-start");
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        var hook = Assert.Single(Launcher.HookRuns);
        Assert.Equal(PreStart, hook.Hook);
        Assert.Equal("web", hook.Spec.Name);
        Assert.Contains("ACTORS_PROCESS=web", hook.Spec.Environment);
        Assert.Empty(hook.Environment);
    }

    [Fact]
    public void Post_stop_runs_after_a_crash_with_the_exit_code_before_the_backoff()
    {
        var settings = Process() with { Hooks = new HooksSettings(null, PostStop) };
        var supervisor = Supervise(settings, (_, _) => SimulatedRun.Exits(3), null);
        ExpectOs("launched");
        Clock.Advance(TimeSpan.FromMilliseconds(100));
        ExpectOs("exited");
        ExpectOs("hook post-stop");
        var backingOff = AwaitState(supervisor, ProcessState.BackingOff);
        Assert.Contains("exited with code 3", backingOff.Reason);
        var hook = Assert.Single(Launcher.HookRuns);
        Assert.Equal("3", hook.Environment["ACTORS_EXIT_CODE"]);
        Assert.Equal("", hook.Environment["ACTORS_EXIT_SIGNAL"]);
    }

    [Fact]
    public void Post_stop_runs_after_a_stop_with_the_signal_and_the_stop_is_answered_after_it()
    {
        var settings = Process() with { Hooks = new HooksSettings(null, PostStop) };
        var supervisor = Supervise(settings, (_, _) => SimulatedRun.RunsForever(), null);
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        supervisor.Tell(new StopProcess());
        ExpectOs("signal 15");
        ExpectOs("exited");
        ExpectOs("hook post-stop");
        ExpectMsg<ProcessStopped>();
        var hook = Assert.Single(Launcher.HookRuns);
        Assert.Equal(("", "TERM"), (hook.Environment["ACTORS_EXIT_CODE"], hook.Environment["ACTORS_EXIT_SIGNAL"]));
        Assert.Equal(ProcessState.Stopped, StatusOf(supervisor).State);
    }

    [Fact]
    public void A_failing_post_stop_hook_is_noted_in_the_reason_and_changes_nothing_else()
    {
        var settings = Process() with { Hooks = new HooksSettings(null, PostStop), Restart = RestartPolicy.Always };
        var supervisor = Supervise(settings, (_, _) => SimulatedRun.Exits(0), _ => new HookOutcome("exited with code 2"));
        ExpectOs("launched");
        Clock.Advance(TimeSpan.FromMilliseconds(100));
        ExpectOs("exited");
        ExpectOs("hook post-stop");
        var backingOff = AwaitState(supervisor, ProcessState.BackingOff);
        Assert.Contains("exited with code 0", backingOff.Reason);
        Assert.Contains("post-stop hook exited with code 2", backingOff.Reason);
    }
}
