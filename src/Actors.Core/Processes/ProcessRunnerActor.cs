using static Actors.Native.LibC;
using Akka.Actor;
using Actors.Configuration;
using Actors.Logging;

namespace Actors.Processes;

/// <remarks>
/// An UntypedActor with a switch per state rather than a ReceiveActor: one runner is made per run, and a
/// ReceiveActor builds its handler tables in every constructor and every Become (measured on bench/simulate, 47,000
/// runs: about 6 % of the CPU went into building them).
/// </remarks>
internal sealed class ProcessRunnerActor : UntypedActor, IWithTimers
{
    private const string KillTimer = "kill", PollTimer = "poll", GiveUpTimer = "give-up";

    private sealed record Kill;
    private sealed record Poll;
    private sealed record GiveUp;

    private readonly LaunchSpec _spec;
    private readonly ProcessSettings _settings;
    private readonly IProcessLauncher _launcher;
    private readonly ProcessLogWriter? _output;
    private readonly LaunchTicket _ticket = new();
    private IProcessHandle? _handle;
    private ExitStatus? _exit;
    private string? _stopReason;
    private bool _signalled, _killed, _killNow;

    public ITimerScheduler Timers { get; set; } = null!;

    public ProcessRunnerActor(LaunchSpec spec, ProcessSettings settings, IProcessLauncher launcher, ProcessLogWriter? output)
    {
        _spec = spec;
        _settings = settings;
        _launcher = launcher;
        _output = output;
    }

    protected override void OnReceive(object message) => Launching(message);

    protected override void PreStart() => _launcher.Launch(new LaunchRequest(_spec, _output, _ticket), Self);

    private void Launching(object message)
    {
        switch (message)
        {
            case ProcessLaunched m:
                _handle = m.Handle;
                Context.Parent.Tell(new ProcessRunner.Started(m.Handle.Pid, m.Handle.StartTime));
                Become(Running);
                if (_killNow) KillNow();
                else if (_stopReason is not null) SendStopSignal();
                break;
            case ProcessLaunchFailed m:
                throw new ProcessFailedException(null, m.Reason);
            case ProcessRunner.Stop m:
                _stopReason ??= m.Reason;
                _killNow |= m.KillNow;
                break;
            case ProcessRunner.SendSignal m:
                // Nothing to signal yet (the parent only asks once it knows the pid, so this is a race at most).
                Sender.Tell(new ProcessRunner.SignalResult(0, false, m.Tag));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Running(object message)
    {
        switch (message)
        {
            case ProcessRunner.Stop m:
                _stopReason ??= m.Reason;
                if (m.KillNow) KillNow();
                else SendStopSignal();
                break;
            case ProcessExited m:
                _exit = m.Status;
                Become(Draining);
                CheckGroup();
                break;
            case Kill:
                KillGroup();
                break;
            case ProcessRunner.SendSignal m:
                OnSendSignal(m);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnSendSignal(ProcessRunner.SendSignal m)
    {
        var handle = _handle!;
        bool delivered = m.WholeGroup ? handle.SignalGroup(m.Signal) : handle.Signal(m.Signal);
        Sender.Tell(new ProcessRunner.SignalResult(handle.Pid, delivered, m.Tag));
    }

    /// <summary>The main process is gone; what else of its group is left gets the stop treatment first.</summary>
    private void Draining(object message)
    {
        switch (message)
        {
            case ProcessRunner.Stop m:
                _stopReason ??= m.Reason;
                if (m.KillNow) KillNow();
                break;
            case Poll:
                CheckGroup();
                break;
            case Kill:
                KillGroup();
                break;
            case GiveUp:
                Finish("processes of its group outlived SIGKILL (stuck in the kernel, or zombies nobody reaps)");
                break;
            case ProcessRunner.SendSignal m:
                // The main process is gone (Signal says so); what is left of the group can still be signalled.
                OnSendSignal(m);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void CheckGroup()
    {
        if (_handle is null || !_handle.IsGroupAlive())
        {
            Finish(null);
            return;
        }
        if (!_signalled) SendStopSignal();
        if (!Timers.IsTimerActive(PollTimer)) Timers.StartPeriodicTimer(PollTimer, new Poll(), ProcessRunner.GroupPollInterval);
    }

    private void SendStopSignal()
    {
        if (_signalled || _handle is null) return;
        _signalled = true;
        _handle.SignalGroup(_settings.Stop.Signal);
        // A stopped (SIGSTOPed) process cannot act on the stop signal until it is continued.
        _handle.SignalGroup(SIGCONT);
        Timers.StartSingleTimer(KillTimer, new Kill(), _settings.Stop.Timeout);
    }

    /// <summary>SIGKILL to the group without the stop signal first; the stop timeout does not apply.</summary>
    private void KillNow()
    {
        _killNow = true;
        _signalled = true;
        Timers.Cancel(KillTimer);
        KillGroup();
    }

    private void KillGroup()
    {
        if (_killed || _handle is null) return;
        _killed = true;
        _handle.SignalGroup(SIGKILL);
        Timers.StartSingleTimer(GiveUpTimer, new GiveUp(), ProcessRunner.KillGrace);
    }

    private void Finish(string? note)
    {
        Timers.CancelAll();
        var exit = _exit!;
        bool failed = _stopReason is null && !(exit.Code is { } code && _settings.IsSuccess(code));
        if (_killed && !_killNow) note ??= $"the group did not stop within {_settings.Stop.Timeout.TotalSeconds:0.###}s of SIG{_settings.Stop.SignalName} and was killed";
        if (failed) throw new ProcessFailedException(exit, $"exited with {exit}", note);
        Context.Parent.Tell(new ProcessRunner.Finished(exit, note));
        Context.Stop(Self);
    }

    protected override void PostStop()
    {
        // Normally the group is already gone. If this actor ends early (its supervisor or the node is going
        // down abruptly), nothing it started may outlive it.
        var handle = _ticket.Abandon() ?? _handle;
        if (handle is null) return;
        if (handle.IsGroupAlive()) handle.SignalGroup(SIGKILL);
        // The one place every runner passes: after Finish (the group is gone) or after the SIGKILL above.
        handle.Release();
    }
}
