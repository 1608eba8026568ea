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
    /// <summary>The answer of a look at the group after the main process exited (<see cref="CheckGroup"/>).</summary>
    private sealed record GroupLooked(bool Alive);
    /// <summary>A hook of this run ended (<paramref name="Outcome"/> null: it was cancelled by a stop).</summary>
    private sealed record HookDone(HookOutcome? Outcome);

    private readonly LaunchSpec _spec;
    private readonly ProcessSettings _settings;
    private readonly IProcessLauncher _launcher;
    private readonly ProcessLogWriter? _output;
    private readonly ProcessLogWriter? _errorOutput;
    private readonly LaunchTicket _ticket = new();
    // The hook under way (pre-start or post-stop): cancelled when this actor stops, which kills its group.
    private CancellationTokenSource? _hook;
    private IProcessHandle? _handle;
    private ExitStatus? _exit;
    private string? _stopReason;
    private bool _signalled, _killed, _killNow;
    private bool _looking; // a look at the group is under way (its answer comes as GroupLooked)
    private bool _groupGone; // a look found nothing of the run left: PostStop need not look again

    public ITimerScheduler Timers { get; set; } = null!;

    public ProcessRunnerActor(LaunchSpec spec, ProcessSettings settings, IProcessLauncher launcher, ProcessLogWriter? output,
        ProcessLogWriter? errorOutput)
    {
        _spec = spec;
        _settings = settings;
        _launcher = launcher;
        _output = output;
        _errorOutput = errorOutput;
    }

    /// <summary>The first state: the pre-start hook if there is one, else the launch.</summary>
    protected override void OnReceive(object message)
    {
        if (_settings.Hooks.PreStart is null || _spec.Refused is not null) Launching(message);
        else PreStarting(message);
    }

    protected override void PreStart()
    {
        // Refused before any launcher (or hook) sees it, so a real and a simulated launcher fail it alike.
        if (_spec.Refused is { } reason) Self.Tell(new ProcessLaunchFailed(reason));
        else if (_settings.Hooks.PreStart is { } preStart) RunHook(preStart, new Dictionary<string, string>());
        else Launch();
    }

    private void Launch() => _launcher.Launch(new LaunchRequest(_spec, _output, _ticket) { ErrorOutput = _errorOutput }, Self);

    /// <summary>
    /// hooks.pre-start runs first: exit 0 launches the process; any other end is a failed start (the parent's lifecycle
    /// counts it, backs off, gives up at the start limit). A stop meanwhile kills the hook and nothing is launched.
    /// </summary>
    private void PreStarting(object message)
    {
        switch (message)
        {
            case HookDone m:
                _hook?.Dispose();
                _hook = null;
                if (_stopReason is not null)
                {
                    Context.Parent.Tell(new ProcessRunner.StoppedBeforeLaunch("stopped during its pre-start hook, before it started"));
                    Context.Stop(Self);
                    return;
                }
                if (m.Outcome is { Failure: { } failure }) throw new ProcessFailedException(null, $"pre-start hook {failure}");
                Become(Launching);
                Launch();
                break;
            case ProcessRunner.Stop m:
                _stopReason ??= m.Reason;
                _hook?.Cancel();
                break;
            case ProcessRunner.SendSignal m:
                Sender.Tell(new ProcessRunner.SignalResult(0, false, m.Tag));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Starts <paramref name="hook"/> off this thread; its end comes back as <see cref="HookDone"/>.</summary>
    private void RunHook(HookSettings hook, IReadOnlyDictionary<string, string> environment)
    {
        _hook = new CancellationTokenSource();
        var token = _hook.Token;
        Task<HookOutcome> run;
        try { run = _launcher.RunHookAsync(new HookRequest(hook, _spec, environment, _output), token); }
        catch (Exception e) { run = Task.FromResult(new HookOutcome($"could not start: {e.Message}")); }
        run.ContinueWith(t => (object)new HookDone(
                t.IsCanceled || t.Exception?.InnerException is OperationCanceledException ? null
                : t.IsFaulted ? new HookOutcome($"could not run: {t.Exception!.InnerException!.Message}")
                : t.Result),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).PipeTo(Self);
    }

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
            case GroupLooked m:
                OnGroupLooked(m.Alive);
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

    /// <summary>Looks whether anything of the group is left; the answer comes as <see cref="GroupLooked"/> unless it is at hand.</summary>
    private void CheckGroup()
    {
        if (_handle is null)
        {
            Finish(null);
            return;
        }
        if (_looking) return;
        var look = _handle.IsGroupAliveAsync();
        if (look.IsCompleted)
        {
            OnGroupLooked(!look.IsCompletedSuccessfully || look.Result);
            return;
        }
        _looking = true;
        // A look that failed counts as alive: the poll looks again.
        look.PipeTo(Self, success: alive => new GroupLooked(alive), failure: _ => new GroupLooked(true));
    }

    private void OnGroupLooked(bool alive)
    {
        _looking = false;
        if (!alive)
        {
            _groupGone = true;
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
        _handle.StopGroup(_settings.Stop.Signal);
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
        if (_settings.Hooks.PostStop is { } postStop)
        {
            PostStopping(exit, note, failed);
            RunHook(postStop, new Dictionary<string, string>
            {
                ["ACTORS_EXIT_CODE"] = exit.Code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
                ["ACTORS_EXIT_SIGNAL"] = exit.Signal is { } signal ? Signals.NameOf(signal) : "",
            });
            return;
        }
        Report(exit, note, failed);
    }

    /// <summary>
    /// hooks.post-stop runs once the group is gone, whatever ended the run; the run's end is reported after it, so a
    /// stop, a restart or a node shutdown waits for it. Its failure goes into the note and changes nothing else.
    /// </summary>
    private void PostStopping(ExitStatus exit, string? note, bool failed)
    {
        Become(message =>
        {
            switch (message)
            {
                case HookDone m:
                    _hook?.Dispose();
                    _hook = null;
                    var hookNote = m.Outcome is { Failure: { } failure } ? $"post-stop hook {failure}" : null;
                    Report(exit, note is null ? hookNote : hookNote is null ? note : $"{note}; {hookNote}", failed);
                    break;
                case ProcessRunner.SendSignal m:
                    Sender.Tell(new ProcessRunner.SignalResult(_handle?.Pid ?? 0, false, m.Tag));
                    break;
                // The process is gone; its cleanup runs to its end (bounded by its timeout) whatever is asked meanwhile.
                case ProcessRunner.Stop or Poll or Kill or GiveUp or GroupLooked:
                    break;
                default:
                    Unhandled(message);
                    break;
            }
        });
    }

    private void Report(ExitStatus exit, string? note, bool failed)
    {
        if (failed) throw new ProcessFailedException(exit, $"exited with {exit}", note);
        Context.Parent.Tell(new ProcessRunner.Finished(exit, note));
        Context.Stop(Self);
    }

    protected override void PostStop()
    {
        // A hook still running (this actor is stopped from above: a node going down past its shutdown-timeout) is killed.
        _hook?.Cancel();
        _hook?.Dispose();
        // Normally the group is already gone (and a look said so: nothing to look at again). If this actor ends early
        // (its supervisor or the node is going down abruptly), nothing it started may outlive it.
        var handle = _ticket.Abandon() ?? _handle;
        if (handle is null) return;
        if (!_groupGone && handle.IsGroupAlive()) handle.SignalGroup(SIGKILL);
        // The one place every runner passes: after Finish (the group is gone) or after the SIGKILL above.
        handle.Release();
    }
}
