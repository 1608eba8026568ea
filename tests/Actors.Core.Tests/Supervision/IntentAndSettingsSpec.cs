using Akka.Actor;
using Akka.TestKit;
using Actors.Configuration;
using Actors.Core.Tests.Simulation;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Supervision;

/// <summary>The operator's sticky stop, the restart count the node saves, and new settings from a reload.</summary>
public class IntentAndSettingsSpec : SupervisionSpec
{
    private TestProbe _parent = null!;

    /// <summary>A supervisor whose parent is a probe, which sees its <see cref="IntentChanged"/> reports.</summary>
    private IActorRef Supervised(ProcessSettings settings, Func<string, int, SimulatedRun> script, SavedIntent? saved = null)
    {
        var options = Simulate(script);
        _parent = CreateTestProbe("node");
        // State changes go to the parent too; these tests look at the intent reports only.
        _parent.IgnoreMessages<ProcessStateChanged>();
        return _parent.ChildActorOf(ProcessSupervisor.Props(settings, options, saved), settings.Name);
    }

    [Fact]
    public void Persisted_stop_is_reported_to_the_parent_and_start_lifts_it()
    {
        var supervisor = Supervised(Process(), (_, _) => SimulatedRun.RunsForever());
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        supervisor.Tell(new StopProcess("stopped by request", Persist: true));
        var kept = _parent.ExpectMsg<IntentChanged>();
        Assert.True(kept.Intent.KeptStopped);
        Assert.Equal("stopped by request", kept.Intent.StopReason);
        Assert.Equal(Clock.Now, kept.Intent.StoppedAt);
        ExpectMsg<ProcessStopped>();

        supervisor.Tell(new StartProcess());
        Assert.False(_parent.ExpectMsg<IntentChanged>().Intent.KeptStopped);
        ExpectMsg<ProcessStatus>(s => s.State == ProcessState.Running);
    }

    [Fact]
    public void Persisted_stop_of_a_completed_process_is_still_recorded()
    {
        var supervisor = Supervised(Process() with { Restart = RestartPolicy.Never }, (_, _) => SimulatedRun.Exits(0));
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        Clock.Advance(TimeSpan.FromMilliseconds(100));
        AwaitState(supervisor, ProcessState.Completed);
        supervisor.Tell(new StopProcess(Persist: true));
        ExpectMsg<ProcessStopped>();
        Assert.True(_parent.ExpectMsg<IntentChanged>().Intent.KeptStopped);
    }

    [Fact]
    public void A_saved_sticky_stop_keeps_the_process_stopped_and_never_launched()
    {
        var at = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        var supervisor = Supervised(Process(), (_, _) => SimulatedRun.RunsForever(), new SavedIntent(true, "stopped by request", at, 3));
        var status = AwaitState(supervisor, ProcessState.Stopped);
        Assert.Equal("stopped by request at 2026-11-23T10:00:00Z; kept across node restarts; start it with 'actors start web'", status.Reason);
        Assert.Equal(3, status.Restarts);
        Os.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal(0, Launcher.RunsOf("web"));
    }

    [Fact]
    public void Automatic_restarts_are_counted_from_the_saved_count_and_reported()
    {
        var supervisor = Supervised(Process(), (_, run) => run == 1 ? SimulatedRun.Exits(1) : SimulatedRun.RunsForever(),
            SavedIntent.Default with { Restarts = 5 });
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        Clock.Advance(TimeSpan.FromMilliseconds(100));
        var backingOff = AwaitState(supervisor, ProcessState.BackingOff);
        Clock.Advance(PendingDelay(backingOff));
        Assert.Equal(6, _parent.ExpectMsg<IntentChanged>().Intent.Restarts);
        Assert.Equal(6, AwaitState(supervisor, ProcessState.Running).Restarts);
    }

    [Fact]
    public void New_settings_restart_a_running_process_with_them()
    {
        var supervisor = Supervised(Process(), (_, _) => SimulatedRun.RunsForever());
        ExpectOs("launched");
        var before = AwaitState(supervisor, ProcessState.Running);
        supervisor.Tell(new ApplySettings(Process() with { Description = "the web server", Args = ["--port", "81"] }));
        ExpectOs("signal 15");
        ExpectOs("exited");
        ExpectOs("launched");
        var after = ExpectMsg<ProcessStatus>();
        Assert.Equal(ProcessState.Running, after.State);
        Assert.NotEqual(before.Pid, after.Pid);
        Assert.Equal("the web server", after.Description);
        Assert.Contains(after.Trail, t => t.State == ProcessState.Stopping && t.Reason.StartsWith("configuration changed"));
        Assert.Contains(after.Trail, t => t.State == ProcessState.Starting && t.Reason == "configuration changed");
    }

    [Fact]
    public void New_settings_for_a_process_kept_stopped_leave_it_stopped()
    {
        var supervisor = Supervised(Process(), (_, _) => SimulatedRun.RunsForever(), new SavedIntent(true, "stopped by request", null, 0));
        AwaitState(supervisor, ProcessState.Stopped);
        supervisor.Tell(new ApplySettings(Process() with { Description = "changed" }));
        var status = ExpectMsg<ProcessStatus>();
        Assert.Equal(ProcessState.Stopped, status.State);
        Assert.Equal("changed", status.Description);
        Os.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void New_log_settings_open_a_new_writer_for_the_next_run_and_keep_the_tail()
    {
        var opened = new List<string>();
        var options = Simulate((_, _) => SimulatedRun.RunsForever()) with
        {
            OpenLog = (s, tail) => { lock (opened) opened.Add(s.Log.File); tail.Add(DateTimeOffset.UtcNow, $"opened {s.Log.File}"); return null; },
        };
        var supervisor = Sys.ActorOf(ProcessSupervisor.Props(Process(), options), "web");
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);
        supervisor.Tell(new GetLogTail());
        var before = ExpectMsg<LogTailSnapshot>().Lines;
        supervisor.Tell(new ApplySettings(Process() with { Log = new LogSettings("/tmp/other.log", 1 << 20, 1, false) }));
        ExpectMsg<ProcessStatus>(s => s.State == ProcessState.Running);
        lock (opened) Assert.Equal(["/dev/null", "/tmp/other.log"], opened);
        supervisor.Tell(new GetLogTail());
        // One tail for both writers: the first run's lines are still there, the second's follow them.
        Assert.Equal(["opened /dev/null", "opened /tmp/other.log"], ExpectMsg<LogTailSnapshot>().Lines.Select(l => l.Text));
        Assert.Equal(["opened /dev/null"], before.Select(l => l.Text));
    }
}
