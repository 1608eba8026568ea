using Akka.Actor;
using Actors.Configuration;
using Actors.Core.Tests.Simulation;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Supervision;

/// <summary>
/// Restart policy on virtual time, stepped by hand (the launch failures and stop races the kit does not script); the
/// policies a whole simulation shows are in RestartPolicySpec, on Actors.TestKit.
/// </summary>
public class ProcessSupervisorSpec : SupervisionSpec
{
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
