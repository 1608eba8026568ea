using Akka.Actor;
using Actors.Configuration;
using Actors.Core.Tests.Simulation;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Supervision;

/// <summary>Restart policy on virtual time: every delay below is simulated, the whole spec runs in a second or two.</summary>
public class ProcessSupervisorSpec : SupervisionSpec
{
    private static readonly TimeSpan Run = TimeSpan.FromMilliseconds(100);

    /// <summary>Lets the running process crash (its scripted run time passes) and returns the status once backing off.</summary>
    private ProcessStatus Crash(IActorRef supervisor)
    {
        AwaitState(supervisor, ProcessState.Running);
        Clock.Advance(Run);
        ExpectOs("exited");
        return AwaitState(supervisor, ProcessState.BackingOff);
    }

    [Fact]
    public void Crash_loop_backoff_doubles_from_min_and_is_capped_at_max()
    {
        var settings = Process() with { Backoff = new BackoffSettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), 0, TimeSpan.FromSeconds(60)) };
        var supervisor = Supervise(settings, (_, _) => SimulatedRun.Exits(1));
        var delays = new List<double>();
        ExpectOs("launched");
        for (int i = 0; i < 5; i++)
        {
            var status = Crash(supervisor);
            var delay = PendingDelay(status);
            delays.Add(delay.TotalSeconds);
            Clock.Advance(delay);
            ExpectOs("launched");
        }
        Assert.Equal([1, 2, 4, 8, 8], delays);
        var final = AwaitState(supervisor, ProcessState.Running);
        Assert.Equal(5, final.Restarts);
        Assert.Equal(1, final.LastExit!.Code);
    }

    [Fact]
    public void Backoff_resets_after_the_process_stayed_up_for_reset_after()
    {
        var settings = Process() with { Backoff = new BackoffSettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 0, TimeSpan.FromSeconds(60)) };
        var supervisor = Supervise(settings, (_, run) => run == 3 ? SimulatedRun.Exits(1, TimeSpan.FromSeconds(61)) : SimulatedRun.Exits(1));
        ExpectOs("launched");
        Assert.Equal(1, PendingDelay(Crash(supervisor)).TotalSeconds);
        Clock.Advance(TimeSpan.FromSeconds(1));
        ExpectOs("launched");
        Assert.Equal(2, PendingDelay(Crash(supervisor)).TotalSeconds);
        Clock.Advance(TimeSpan.FromSeconds(2));
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        Clock.Advance(TimeSpan.FromSeconds(61));
        ExpectOs("exited");
        var status = AwaitState(supervisor, ProcessState.BackingOff);
        Assert.Equal(1, PendingDelay(status).TotalSeconds);
    }

    [Fact]
    public void Supervisor_gives_up_at_the_start_limit_and_keeps_the_reason()
    {
        var settings = Process() with { StartLimit = new StartLimitSettings(3, TimeSpan.FromMinutes(1)) };
        var supervisor = Supervise(settings, (_, _) => SimulatedRun.Exits(7));
        ExpectOs("launched");
        for (int i = 0; i < 2; i++)
        {
            Clock.Advance(PendingDelay(Crash(supervisor)));
            ExpectOs("launched");
        }
        AwaitState(supervisor, ProcessState.Running);
        Clock.Advance(Run);
        ExpectOs("exited");
        var failed = AwaitState(supervisor, ProcessState.Failed);
        Assert.Contains("start limit hit: 3 starts within 60s", failed.Reason);
        Assert.Contains("exited with code 7", failed.Reason);
        Assert.Equal(3, Launcher.RunsOf("web"));
        Clock.Advance(TimeSpan.FromMinutes(30));
        Os.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal(ProcessState.Failed, StatusOf(supervisor).State);
    }

    [Fact]
    public void Start_by_request_clears_a_give_up_and_counts_starts_afresh()
    {
        var settings = Process() with { StartLimit = new StartLimitSettings(1, TimeSpan.FromMinutes(1)) };
        var supervisor = Supervise(settings, (_, _) => SimulatedRun.Exits(1));
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        Clock.Advance(Run);
        ExpectOs("exited");
        AwaitState(supervisor, ProcessState.Failed);
        supervisor.Tell(new StartProcess());
        ExpectMsg<ProcessStatus>();
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
    }

    [Theory]
    [InlineData(RestartPolicy.OnFailure, 0, ProcessState.Completed)]
    [InlineData(RestartPolicy.OnFailure, 3, ProcessState.Completed)] // 3 is declared a success
    [InlineData(RestartPolicy.OnFailure, 4, ProcessState.BackingOff)]
    [InlineData(RestartPolicy.Never, 0, ProcessState.Completed)]
    [InlineData(RestartPolicy.Never, 4, ProcessState.Failed)]
    [InlineData(RestartPolicy.Always, 0, ProcessState.BackingOff)]
    [InlineData(RestartPolicy.Always, 3, ProcessState.BackingOff)]
    public void Exit_code_and_restart_policy_decide_what_follows_an_exit(RestartPolicy restart, int code, ProcessState expected)
    {
        var settings = Process() with { Restart = restart, SuccessExitCodes = new HashSet<int> { 3 } };
        var supervisor = Supervise(settings, (_, _) => SimulatedRun.Exits(code));
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        Clock.Advance(Run);
        ExpectOs("exited");
        var status = AwaitState(supervisor, expected);
        Assert.Equal(code, status.LastExit!.Code);
        if (restart == RestartPolicy.Never) Assert.Contains("restart = never", status.Reason);
    }

    [Fact]
    public void A_command_that_cannot_start_backs_off_then_fails_with_that_reason()
    {
        var settings = Process() with { StartLimit = new StartLimitSettings(2, TimeSpan.FromMinutes(1)) };
        var supervisor = Supervise(settings, (_, _) => SimulatedRun.CannotLaunch("command not found: /usr/bin/nope"));
        ExpectOs("launch-failed");
        var backingOff = AwaitState(supervisor, ProcessState.BackingOff);
        Assert.Contains("command not found: /usr/bin/nope", backingOff.Reason);
        Clock.Advance(PendingDelay(backingOff));
        ExpectOs("launch-failed");
        var failed = AwaitState(supervisor, ProcessState.Failed);
        Assert.Contains("command not found: /usr/bin/nope", failed.Reason);
    }

    [Fact]
    public void Stop_while_backing_off_cancels_the_pending_start()
    {
        var supervisor = Supervise(Process(), (_, _) => SimulatedRun.Exits(1));
        ExpectOs("launched");
        Crash(supervisor);
        supervisor.Tell(new StopProcess());
        ExpectMsg<ProcessStopped>();
        Clock.Advance(TimeSpan.FromMinutes(10));
        Os.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        var status = StatusOf(supervisor);
        Assert.Equal(ProcessState.Stopped, status.State);
        Assert.Contains("pending restart cancelled", status.Reason);
    }

    [Fact]
    public void A_process_ignoring_the_stop_signal_is_killed_after_the_stop_timeout()
    {
        var supervisor = Supervise(Process(), (_, _) => SimulatedRun.RunsForever() with { IgnoresStopSignal = true });
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        supervisor.Tell(new StopProcess());
        ExpectOs("signal 15");
        AwaitState(supervisor, ProcessState.Stopping);
        Clock.Advance(TimeSpan.FromSeconds(9.9));
        Os.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Clock.Advance(TimeSpan.FromSeconds(0.2));
        ExpectOs("signal 9");
        ExpectOs("exited");
        ExpectMsg<ProcessStopped>();
        var status = AwaitState(supervisor, ProcessState.Stopped);
        Assert.Contains("killed", status.Reason);
        Assert.Equal(9, status.LastExit!.Signal);
    }

    [Fact]
    public void A_stopped_process_stays_stopped_and_start_during_stopping_is_queued()
    {
        var supervisor = Supervise(Process(), (_, _) => SimulatedRun.RunsForever() with { IgnoresStopSignal = true });
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        supervisor.Tell(new StopProcess());
        ExpectOs("signal 15");
        supervisor.Tell(new StartProcess());
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Clock.Advance(TimeSpan.FromSeconds(10));
        ExpectOs("signal 9");
        ExpectOs("exited");
        ExpectMsg<ProcessStopped>();
        // One instance at a time: the queued start launches only after the stop completed, and is answered then.
        ExpectOs("launched");
        ExpectMsg<ProcessStatus>(s => s.State == ProcessState.Running && s.Pid is not null);
        Assert.Equal(2, Launcher.RunsOf("web"));
    }
}
