using Akka.Actor;
using Actors.Configuration;
using Actors.Core.Tests.Simulation;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Supervision;

/// <summary>The operator's commands to one process, on virtual time: start, stop, restart, signal, new settings.</summary>
public class OperatorCommandSpec : SupervisionSpec
{
    private static readonly TimeSpan Run = TimeSpan.FromMilliseconds(100);

    private IActorRef RunningForever(ProcessSettings? settings = null, bool ignoresStop = false)
    {
        var supervisor = Supervise(settings ?? Process(), (_, _) => SimulatedRun.RunsForever() with { IgnoresStopSignal = ignoresStop });
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        return supervisor;
    }

    [Fact]
    public void A_one_shot_that_succeeds_is_completed_and_start_runs_it_again()
    {
        var supervisor = Supervise(Process() with { Restart = RestartPolicy.OnFailure }, (_, _) => SimulatedRun.Exits(0));
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        Clock.Advance(Run);
        ExpectOs("exited");
        var completed = AwaitState(supervisor, ProcessState.Completed);
        Assert.Contains("restart = on-failure", completed.Reason);

        supervisor.Tell(new StartProcess());
        ExpectOs("launched");
        ExpectMsg<ProcessStatus>(s => s.State == ProcessState.Running);
        Assert.Equal(0, StatusOf(supervisor).Restarts);
    }

    [Fact]
    public void Start_is_answered_once_the_process_runs_with_its_pid()
    {
        var supervisor = RunningForever();
        supervisor.Tell(new StopProcess());
        ExpectMsg<ProcessStopped>();
        supervisor.Tell(new StartProcess());
        var status = ExpectMsg<ProcessStatus>();
        Assert.Equal(ProcessState.Running, status.State);
        Assert.NotNull(status.Pid);
        Assert.NotNull(status.RunningSince);
    }

    [Fact]
    public void Start_of_a_command_that_cannot_launch_is_answered_when_it_backs_off()
    {
        var supervisor = Supervise(Process(), (_, _) => SimulatedRun.CannotLaunch("command not found: /nope"));
        ExpectOs("launch-failed");
        AwaitState(supervisor, ProcessState.BackingOff);
        supervisor.Tell(new StopProcess());
        ExpectMsg<ProcessStopped>();
        supervisor.Tell(new StartProcess());
        ExpectOs("launch-failed");
        var status = ExpectMsg<ProcessStatus>();
        Assert.Equal(ProcessState.BackingOff, status.State);
        Assert.Contains("command not found: /nope", status.Reason);
    }

    [Fact]
    public void Restart_during_stopping_gives_exactly_one_running_instance()
    {
        var supervisor = RunningForever(ignoresStop: true);
        supervisor.Tell(new StopProcess());
        ExpectOs("signal 15");
        supervisor.Tell(new RestartProcess());
        supervisor.Tell(new RestartProcess());
        AwaitState(supervisor, ProcessState.Stopping);
        Clock.Advance(TimeSpan.FromSeconds(10));
        ExpectOs("signal 9");
        ExpectOs("exited");
        ExpectMsg<ProcessStopped>();
        ExpectOs("launched");
        // Both restarts are answered by the one new run.
        var first = ExpectMsg<ProcessStatus>();
        var second = ExpectMsg<ProcessStatus>();
        Assert.Equal(ProcessState.Running, first.State);
        Assert.Equal(first.Pid, second.Pid);
        Os.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal(2, Launcher.RunsOf("web"));
        Assert.Equal(0, first.Restarts);
    }

    [Fact]
    public void Restart_of_a_process_ignoring_the_stop_signal_goes_through_the_stop_timeout()
    {
        var supervisor = RunningForever(ignoresStop: true);
        var before = StatusOf(supervisor).Pid;
        supervisor.Tell(new RestartProcess());
        ExpectOs("signal 15");
        var stopping = AwaitState(supervisor, ProcessState.Stopping);
        Assert.Contains("restarted by request", stopping.Reason);
        Clock.Advance(TimeSpan.FromSeconds(9.9));
        Os.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        ExpectNoMsg(TimeSpan.FromMilliseconds(10));
        Clock.Advance(TimeSpan.FromSeconds(0.2));
        ExpectOs("signal 9");
        ExpectOs("exited");
        ExpectOs("launched");
        var after = ExpectMsg<ProcessStatus>();
        Assert.Equal(ProcessState.Running, after.State);
        Assert.NotEqual(before, after.Pid);
        Assert.Contains(after.Trail, t => t.State == ProcessState.Stopped && t.Reason.Contains("killed"));
    }

    [Fact]
    public void Restart_of_a_backing_off_process_starts_it_now()
    {
        var supervisor = Supervise(Process(), (_, run) => run == 1 ? SimulatedRun.Exits(1) : SimulatedRun.RunsForever());
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        Clock.Advance(Run);
        ExpectOs("exited");
        AwaitState(supervisor, ProcessState.BackingOff);
        supervisor.Tell(new RestartProcess());
        ExpectOs("launched");
        var status = ExpectMsg<ProcessStatus>(s => s.State == ProcessState.Running);
        Assert.Null(status.NextStartAt);
    }

    [Fact]
    public void Signal_reaches_the_running_main_process_and_is_answered_with_its_pid()
    {
        var supervisor = RunningForever();
        var pid = StatusOf(supervisor).Pid!.Value;
        supervisor.Tell(new SignalProcess(1, "SIGHUP"));
        ExpectMsg(new SignalSent("web", pid, "SIGHUP"));
        ExpectOs("pid-signal 1");
        Assert.Contains(new SimulatedSignal("web", pid, 1, false), Launcher.Signals);
        Assert.Equal(ProcessState.Running, StatusOf(supervisor).State);
    }

    [Fact]
    public void Signal_with_whole_group_reaches_the_group()
    {
        var supervisor = RunningForever();
        var pid = StatusOf(supervisor).Pid!.Value;
        supervisor.Tell(new SignalProcess(10, "SIGUSR1", WholeGroup: true));
        ExpectMsg(new SignalSent("web", pid, "SIGUSR1"));
        Assert.Contains(new SimulatedSignal("web", pid, 10, true), Launcher.Signals);
    }

    [Fact]
    public void Signal_to_a_stopped_process_is_refused_with_the_reason()
    {
        var supervisor = RunningForever();
        supervisor.Tell(new StopProcess("maintenance"));
        ExpectMsg<ProcessStopped>();
        supervisor.Tell(new SignalProcess(1, "SIGHUP"));
        var refused = ExpectMsg<CommandRefused>();
        Assert.Equal("web", refused.Name);
        Assert.StartsWith("web is not running (stopped: maintenance", refused.Reason);
    }

    [Fact]
    public void Log_tail_keeps_the_lines_of_earlier_runs_and_is_answered_as_a_copy()
    {
        var options = Simulate((_, _) => SimulatedRun.RunsForever()) with
        {
            // The log opens once, before the first run: a line the first run printed.
            OpenLog = (_, tail) => { tail.Add(DateTimeOffset.UtcNow, "printed by run 1"); return null; },
        };
        var supervisor = Sys.ActorOf(ProcessSupervisor.Props(Process(), options), "web");
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        supervisor.Tell(new GetLogTail());
        var first = ExpectMsg<LogTailSnapshot>();
        supervisor.Tell(new RestartProcess());
        ExpectMsg<ProcessStatus>();
        supervisor.Tell(new GetLogTail());
        var second = ExpectMsg<LogTailSnapshot>();
        Assert.Equal(["printed by run 1"], second.Lines.Select(l => l.Text));
        Assert.Equal(first.Lines, second.Lines);
        Assert.NotSame(first.Lines, second.Lines);
        Assert.Equal("web", first.Name);
    }
}
