using Akka.Actor;
using Akka.Event;
using Actors.Configuration;
using Actors.Processes;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>The operator's commands: start, stop, restart, signal, and new settings from a reload.</summary>
internal sealed partial class ProcessSupervisorActor
{
    private const string ConfigurationChanged = "configuration changed";

    /// <summary>Who asked for a signal, carried through the runner and back.</summary>
    private sealed record SignalRequest(IActorRef ReplyTo, SignalProcess Request);

    private void OnStart(StartProcess m)
    {
        LiftStickyStop();
        if (_state is ProcessState.Running or ProcessState.Ready)
        {
            Sender.Tell(Status());
            return;
        }
        _startWaiters.Add(Sender);
        switch (_state)
        {
            case ProcessState.Starting:
                break;
            case ProcessState.Stopping:
                // Queued: the start runs once the stop completes, so there are never two instances.
                _queuedStart ??= $"{m.Reason} (queued during stop)";
                break;
            default:
                FreshStart(m.Reason);
                break;
        }
    }

    private void OnStop(StopProcess m)
    {
        // The operator's intent is recorded even when nothing runs: "keep it stopped" must outlive the node.
        if (m.Persist) SetIntent(_intent with { KeptStopped = true, StopReason = m.Reason, StoppedAt = Now });
        _queuedStart = null;
        switch (_state)
        {
            case ProcessState.Starting or ProcessState.Running or ProcessState.Ready:
                _stopWaiters.Add(Sender);
                BeginStop(m.Reason);
                break;
            case ProcessState.Stopping:
                TakeOverStop();
                _stopWaiters.Add(Sender);
                // The stop is now the operator's, no longer (say) a restart's; a waiting start has no state change
                // left to settle on, so it is answered with the stopped status once the run is gone.
                _stopReason = m.Reason;
                break;
            case ProcessState.Waiting:
                Enter(ProcessState.Stopped, $"{m.Reason} (was {_reason})");
                Sender.Tell(new ProcessStopped(Name));
                break;
            case ProcessState.BackingOff:
                Timers.Cancel(BackoffTimer);
                _nextStartAt = null;
                Enter(ProcessState.Stopped, $"{m.Reason} (pending restart cancelled)");
                Sender.Tell(new ProcessStopped(Name));
                break;
            default:
                Sender.Tell(new ProcessStopped(Name));
                break;
        }
    }

    private void OnRestart(RestartProcess m)
    {
        LiftStickyStop();
        _startWaiters.Add(Sender);
        switch (_state)
        {
            case ProcessState.Starting or ProcessState.Running or ProcessState.Ready:
                _queuedStart = m.Reason;
                BeginStop(m.Reason);
                break;
            case ProcessState.Stopping:
                TakeOverStop();
                // Concurrent restarts coalesce into the one queued start.
                _queuedStart ??= m.Reason;
                break;
            default:
                FreshStart(m.Reason);
                break;
        }
    }

    private void OnApply(ApplySettings m)
    {
        bool live = _state is ProcessState.Starting or ProcessState.Running or ProcessState.Ready;
        // The run stops under the settings it was started with (its stop signal and timeout), so stop it first.
        if (live) BeginStop(ConfigurationChanged);
        Replace(m.Settings);
        if (_intent.KeptStopped)
        {
            Log(LogLevel.InfoLevel, $"{Name}: {ConfigurationChanged}; stays stopped as the operator asked");
            Sender.Tell(Status());
            return;
        }
        _startWaiters.Add(Sender);
        if (_state == ProcessState.Stopping) TakeOverStop();
        if (live || _state == ProcessState.Stopping) _queuedStart ??= ConfigurationChanged;
        else FreshStart(ConfigurationChanged);
    }

    private void Replace(ProcessSettings settings)
    {
        // The run in flight (if any) keeps its own spec and writer; the new ones serve the next run.
        if (!Equals(settings.Log, _settings.Log)) _logStale = true;
        var old = _settings;
        _settings = settings;
        ReplaceLeaseKeeper(old);
        _spec = LaunchSpecs.From(settings);
        _limiter = new StartLimiter(settings.StartLimit);
        _attempt = 0;
    }

    private void BeginStop(string reason)
    {
        TakeOverStop();
        StopProbes();
        _stopReason = reason;
        Enter(ProcessState.Stopping, $"{reason}; SIG{_settings.Stop.SignalName} to the group, SIGKILL after {Seconds(_settings.Stop.Timeout)}");
        _runner!.Tell(new ProcessRunner.Stop(reason));
    }

    private void LiftStickyStop()
    {
        if (_intent.KeptStopped) SetIntent(_intent with { KeptStopped = false, StopReason = null, StoppedAt = null });
    }

    private void OnSignal(SignalProcess m)
    {
        if (_runner is null || _pid is null)
        {
            Sender.Tell(new CommandRefused(Name, $"{Name} is not running ({_state.ToDisplay()}: {_reason})"));
            return;
        }
        _runner.Tell(new ProcessRunner.SendSignal(m.Signal, m.WholeGroup, new SignalRequest(Sender, m)));
    }

    private void OnSignalResult(ProcessRunner.SignalResult m)
    {
        var (replyTo, request) = (SignalRequest)m.Tag;
        if (!m.Delivered)
        {
            replyTo.Tell(new CommandRefused(Name, $"{Name} is not running (its process has just exited)"));
            return;
        }
        var target = request.WholeGroup ? $"the group of pid {m.Pid}" : $"pid {m.Pid}";
        var signal = request.SignalName.StartsWith("SIG", StringComparison.Ordinal) ? request.SignalName : $"SIG{request.SignalName}";
        Log(LogLevel.InfoLevel, $"{Name}: {signal} sent to {target} by request");
        replyTo.Tell(new SignalSent(Name, m.Pid, request.SignalName));
    }
}
