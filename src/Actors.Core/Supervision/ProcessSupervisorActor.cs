using Akka.Actor;
using Akka.Event;
using Actors.Configuration;
using Actors.Leases;
using Actors.Logging;
using Actors.Probes;
using Actors.Processes;
using Actors.Scheduling;
using Actors.Timeouts;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>
/// The actor of one supervised process: a thin shell around <see cref="ProcessLifecycle"/>, which makes every
/// decision. It turns messages into <see cref="LifecycleEvent"/>s (dropping those from a runner, probe or lease
/// keeper that is no longer current) and carries out the <see cref="Effect"/>s (ProcessSupervisorActor.Effects.cs):
/// children, signals, timers, answers, log lines.
/// </summary>
internal sealed partial class ProcessSupervisorActor : DelegateReceiveActor, IWithTimers
{
    /// <summary>
    /// Answered with <see cref="ProcessStatus"/> once the current start has settled (at once when none is under
    /// way). The node uses it to wait for a process it has just created.
    /// </summary>
    public sealed record AwaitSettled;

    private sealed record BackoffElapsed;
    /// <summary>A datagram on the notify socket of run <paramref name="Run"/>.</summary>
    private sealed record NotifyReceived(int Run, string Text);
    /// <summary>ready-log-line: run <paramref name="Run"/> wrote this matching line.</summary>
    private sealed record LogLineReceived(int Run, string Line);
    /// <summary>A run is over (<paramref name="Runner"/> says which): its runner finished or failed.</summary>
    private sealed record RunOver(IActorRef Runner, LifecycleEvent.RunEnded End);
    /// <summary>Who asked for a signal, carried through the runner and back.</summary>
    private sealed record SignalRequest(IActorRef ReplyTo, SignalProcess Request);

    private readonly SupervisorOptions _options;
    private readonly PolicyClock _clock;
    private readonly ProcessLifecycle _lifecycle;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private LifecycleState _life;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="dependencies">Where its dependencies stand now (see <see cref="ProcessSupervisor.Props"/>).</param>
    public ProcessSupervisorActor(ProcessSettings settings, SupervisorOptions options, SavedIntent saved, IReadOnlyList<DependencyState> dependencies)
    {
        _options = options;
        _clock = options.Clock ?? PolicyClock.Of(Context.System.Scheduler);
        _lifecycle = new ProcessLifecycle(options.RandomFor?.Invoke(settings.Name) ?? options.Random, options.NodeId);
        _life = LifecycleState.Initial(settings, saved, dependencies);
        _spec = _runSpec = LaunchSpecs.From(settings);
        _tail = new LogTail(options.TailLines);

        Receive<StartProcess>(m => Decide(new LifecycleEvent.StartRequested(m.Reason)));
        Receive<StopProcess>(m => Decide(new LifecycleEvent.StopRequested(m.Reason, m.Persist)));
        Receive<RestartProcess>(m => Decide(new LifecycleEvent.RestartRequested(m.Reason)));
        Receive<ApplySettings>(m =>
        {
            // Built once per declaration; the run in flight keeps its own.
            _spec = LaunchSpecs.From(m.Settings);
            Decide(new LifecycleEvent.SettingsChanged(m.Settings));
        });
        Receive<SignalProcess>(OnSignal);
        Receive<ProcessRunner.SignalResult>(OnSignalResult);
        Receive<GetLogTail>(OnGetLogTail);
        Receive<GetStatus>(_ => Sender.Tell(Status(_life)));
        Receive<AwaitSettled>(_ =>
        {
            if (_life.StartUnderWay) _startWaiters.Add(Sender);
            else Sender.Tell(Status(_life));
        });
        Receive<BackoffElapsed>(_ => Decide(new LifecycleEvent.BackoffElapsed()));

        Receive<ProcessRunner.Started>(m =>
        {
            if (Sender.Equals(_runner)) Decide(new LifecycleEvent.RunStarted(m.Pid));
        });
        Receive<ProcessRunner.Finished>(m => OnRunOver(new RunOver(Sender, new LifecycleEvent.RunEnded(m.Exit, $"exited with {m.Exit}", false, m.Note))));
        Receive<ProcessRunner.StoppedBeforeLaunch>(m => OnRunOver(new RunOver(Sender, new LifecycleEvent.RunEnded(null, m.Reason, false, null))));
        Receive<RunOver>(OnRunOver);

        Receive<TimeoutGuard.DeadlineExceeded>(m => Decide(new LifecycleEvent.DeadlinePassed(m.Deadline, m.After, m.Tag)));
        Receive<HealthProbe.ProbeChecked>(m =>
        {
            // A check that says what the last one said changes nothing (the usual case: a healthy probe, every
            // period): no decision to make, so none is made.
            if (IsCurrentProbe(m.Role) && !(_life.ProbeDetail.TryGetValue(m.Role, out var known) && known == m.Detail))
                Decide(new LifecycleEvent.ProbeChecked(m.Role, m.Detail));
        });
        Receive<HealthProbe.ProbePassed>(m => { if (IsCurrentProbe(m.Role)) Decide(new LifecycleEvent.ProbePassed(m.Role, m.Detail)); });
        Receive<HealthProbe.ProbeFailed>(m => { if (IsCurrentProbe(m.Role)) Decide(new LifecycleEvent.ProbeFailed(m.Role, m.Reason)); });
        Receive<DependencyState>(m => Decide(new LifecycleEvent.DependencyChanged(m)));
        Receive<PlacementGate>(m => Decide(new LifecycleEvent.PlacementGateChanged(m.Open, m.Reason)));
        Receive<NotifyReceived>(m => { if (m.Run == _life.Runs) Decide(new LifecycleEvent.Notified(m.Text)); });
        Receive<LogLineReceived>(m => { if (m.Run == _life.Runs) Decide(new LifecycleEvent.LogLineMatched(m.Line)); });
        Receive<LeaseKeeper.LeaseAcquired>(m => { if (Sender.Equals(_leaseKeeper)) Decide(new LifecycleEvent.LeaseAcquired(m.Name, m.Token)); });
        Receive<LeaseKeeper.LeaseLost>(m => { if (Sender.Equals(_leaseKeeper)) Decide(new LifecycleEvent.LeaseLost(m.Reason)); });
        Receive<LeaseKeeper.LeaseObserved>(m => { if (Sender.Equals(_leaseKeeper)) Decide(new LifecycleEvent.LeaseObserved(m.Status)); });
    }

    private string Name => _life.Name;

    protected override void PreStart()
    {
        _guard = Context.ActorOf(TimeoutGuard.Props(_clock), TimeoutGuard.ChildName);
        CreateLeaseKeeper();
        Decide(new LifecycleEvent.Began());
    }

    /// <summary>
    /// After a crash of this supervisor the states it was created with are old news: it forgets them (so its start
    /// waits) and asks the node for the current ones.
    /// </summary>
    protected override void PostRestart(Exception reason)
    {
        if (_life.Settings.DependsOn.Count > 0)
        {
            Decide(new LifecycleEvent.DependenciesForgotten());
            Context.Parent.Tell(new NodeSupervisorActor.ResendDependencies(Name));
        }
        base.PostRestart(reason);
    }

    protected override void PostStop()
    {
        _output?.Dispose();
        _errorOutput?.Dispose();
        _notify?.Dispose();
    }

    /// <summary>
    /// The one path by which a run's end reaches the lifecycle (<see cref="OnRunOver"/>). A run that ends as a
    /// failure (a failure exit, or no launch) fails its runner actor, and this one-for-one strategy decides about
    /// it (the design card): the runner is stopped, never restarted in place, and the end goes on to the lifecycle,
    /// whose decision (<c>ProcessLifecycle.Runs.cs</c>) may be a new runner after a backoff. Any other end comes as
    /// <see cref="ProcessRunner.Finished"/>. The failure goes through the mailbox, not straight to the lifecycle:
    /// Akka handles a child's failure (a system message) before the user messages already queued, so the runner's
    /// last <see cref="ProcessRunner.Started"/> would otherwise arrive after the end of its own run. Runs never end
    /// through Terminated (it can overtake a runner's last message too), so runners are not watched.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        var failure = e as ProcessFailedException;
        Self.Tell(new RunOver(Sender, new LifecycleEvent.RunEnded(failure?.Exit, failure?.Message ?? $"runner crashed: {e.Message}", true, failure?.Note)));
        return Directive.Stop;
    }, loggingEnabled: false);

    private void OnRunOver(RunOver m)
    {
        if (!m.Runner.Equals(_runner)) return;
        _runner = null;
        Decide(m.End);
    }

    /// <summary>The lifecycle decides; its effects are carried out in order, and the events they answer with next.</summary>
    private void Decide(LifecycleEvent e)
    {
        // A lease whose heartbeats stalled past what it allows (the node was frozen or starved; the watchdog's
        // dead-man switch may have ended the run) is lost before anything else is decided: no run starts on it.
        if (_life.LeaseHeld && e is not LifecycleEvent.LeaseLost && _lease is { } lease && !lease.CheckLease())
            _followUps.Enqueue(new LifecycleEvent.LeaseLost(
                $"{(lease as IExplainedLease)?.WhyNotHeld ?? "not renewed in time (this node was frozen or stalled)"}; waiting for a new holding"));
        _followUps.Enqueue(e);
        while (_followUps.TryDequeue(out var next))
        {
            var (state, effects) = _lifecycle.Decide(_life, next, new Moment(_clock.Monotonic, _clock.Wall));
            _life = state;
            for (var i = 0; i < effects.Count; i++) CarryOut(effects[i]);
        }
    }

    private void OnSignal(SignalProcess m)
    {
        if (_runner is null || _life.Pid is null)
        {
            Sender.Tell(new CommandRefused(Name, $"{Name} is not running ({_life.State.ToDisplay()}: {_life.Reason})"));
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

    /// <summary>A copy of the lines asked for: the tail itself is written by the output pump and stays here.</summary>
    private void OnGetLogTail(GetLogTail m)
    {
        var lines = m.After is { } after && after.TryGetValue(Name, out var seen) ? _tail.Since(seen) : _tail.Last(m.Lines);
        Sender.Tell(new LogTailSnapshot(Name, lines.ToArray(), _tail.LastSequence));
    }

    private void Log(LogLevel level, string text) => _log.Log(level, null, "{0}", text);
}
