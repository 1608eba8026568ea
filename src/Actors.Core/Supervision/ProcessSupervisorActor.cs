using Akka.Actor;
using Akka.Event;
using Actors.Configuration;
using Actors.Logging;
using Actors.Processes;
using Actors.Scheduling;
using Actors.Timeouts;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>
/// The run lifecycle of one process: starts, exits, backoff and the start limit. The operator's commands
/// (start, stop, restart, signal, new settings) are in <c>ProcessSupervisorActor.Commands.cs</c>.
/// </summary>
internal sealed partial class ProcessSupervisorActor : ReceiveActor, IWithTimers
{
    /// <summary>
    /// Answered with <see cref="ProcessStatus"/> once the current start has settled (at once when none is under
    /// way). The node uses it to wait for a process it has just created.
    /// </summary>
    public sealed record AwaitSettled;

    private const string BackoffTimer = "backoff";
    private sealed record BackoffElapsed;
    private sealed record RunEnded(IActorRef Runner, ExitStatus? Exit, string Reason, bool Failed, string? Note = null);

    private readonly SupervisorOptions _options;
    private readonly PolicyClock _clock;
    private readonly TransitionTrail _trail = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _stopWaiters = new();
    // Askers of a start (start, restart, new settings) waiting for it to settle: running, or the launch failed.
    private readonly List<IActorRef> _startWaiters = new();
    private readonly LogTail _tail;
    private ProcessSettings _settings;
    private LaunchSpec _spec;
    // The spec of the current run (with its lease token): what its probes run with.
    private LaunchSpec _runSpec;
    private StartLimiter _limiter;
    private ProcessLogWriter? _output;
    // True until the log is open for the current settings: first start, after a failed open, after new log settings.
    private bool _logStale = true;
    private SavedIntent _intent;

    private ProcessState _state = ProcessState.Stopped;
    private string _reason = "not started yet";
    private IActorRef? _runner;
    private int _runs, _attempt;
    private int? _pid;
    // Shown (wall clock): when the current run started, when the next start is due.
    private DateTimeOffset? _runningSince, _nextStartAt;
    // Measured (monotonic): when the current run was launched, for its uptime.
    private TimeSpan? _startedAt;
    private ExitStatus? _lastExit;
    // A start (its reason) to run once the current stop completes: never two instances at a time.
    private string? _queuedStart;
    private string? _lastEndReason;
    private string? _stopReason;

    public ITimerScheduler Timers { get; set; } = null!;

    public ProcessSupervisorActor(ProcessSettings settings, SupervisorOptions options, SavedIntent saved)
    {
        _settings = settings;
        _options = options;
        _clock = options.Clock ?? PolicyClock.Of(Context.System.Scheduler);
        _spec = _runSpec = LaunchSpecs.From(settings);
        _limiter = new StartLimiter(settings.StartLimit);
        _tail = new LogTail(options.TailLines);
        _intent = saved;

        Receive<StartProcess>(OnStart);
        Receive<StopProcess>(OnStop);
        Receive<RestartProcess>(OnRestart);
        Receive<SignalProcess>(OnSignal);
        Receive<ProcessRunner.SignalResult>(OnSignalResult);
        Receive<ApplySettings>(OnApply);
        Receive<GetLogTail>(_ => Sender.Tell(new LogTailView(Name, _tail)));
        Receive<GetStatus>(_ => Sender.Tell(Status()));
        Receive<AwaitSettled>(_ =>
        {
            if (StartUnderWay) _startWaiters.Add(Sender);
            else Sender.Tell(Status());
        });
        Receive<BackoffElapsed>(_ => { if (_state == ProcessState.BackingOff) StartRun(RestartReason(), automatic: true); });
        Receive<ProcessRunner.Started>(OnRunnerStarted);
        Receive<ProcessRunner.Finished>(m => OnRunEnded(new RunEnded(Sender, m.Exit, $"exited with {m.Exit}", false, m.Note)));
        // Runs end through Finished or a failure (RunEnded), never through Terminated: Terminated can overtake
        // a runner's last message, so runners are not watched.
        Receive<RunEnded>(OnRunEnded);
        ReceiveLease();
        ReceiveDependencies();
        ReceiveProbes();
        ReceiveDeadlines();
    }

    /// <summary>Wall-clock time: for what is shown (trail, running since, next start), never for a decision.</summary>
    private DateTimeOffset Now => _clock.Wall;
    /// <summary>Monotonic time: every duration policy decides on (uptime, start-limit window, budget).</summary>
    private TimeSpan Elapsed => _clock.Monotonic;
    private string Name => _settings.Name;
    private bool StartUnderWay => _state == ProcessState.Starting || _queuedStart is not null || (_state == ProcessState.Waiting && _firstTryPending);

    protected override void PreStart()
    {
        _guard = Context.ActorOf(TimeoutGuard.Props(_clock), TimeoutGuard.ChildName);
        CreateLeaseKeeper();
        if (_intent.KeptStopped)
        {
            // The operator stopped it before the node went down; a node restart must not undo that.
            var at = _intent.StoppedAt is { } t ? $" at {t.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}" : "";
            Enter(ProcessState.Stopped,
                $"{_intent.StopReason ?? "stopped by request"}{at}; kept across node restarts; start it with 'actors start {Name}'");
            return;
        }
        BeginJob();
        StartRun("initial start", automatic: false);
    }

    protected override void PostStop() => _output?.Dispose();

    /// <summary>
    /// Every run that ends with a failure exit (or cannot launch) fails its runner actor and lands here. The
    /// runner is stopped, never restarted in place: the next run is a new runner after the backoff.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        var failure = e as ProcessFailedException;
        Self.Tell(new RunEnded(Sender, failure?.Exit, failure?.Message ?? $"runner crashed: {e.Message}", true, failure?.Note));
        return Directive.Stop;
    }, loggingEnabled: false);

    /// <summary>An operator's start: a fresh start-limit budget and backoff.</summary>
    private void FreshStart(string reason)
    {
        Timers.Cancel(BackoffTimer);
        _limiter.Reset();
        _attempt = 0;
        BeginJob();
        StartRun(reason, automatic: false);
    }

    private void StartRun(string reason, bool automatic)
    {
        if (!DependenciesMet(reason, automatic)) return;
        if (!MayStart(reason, automatic)) return;
        if (!EnsureLog()) return;
        var now = Elapsed;
        if (!_limiter.Allows(now))
        {
            GiveUp();
            return;
        }
        _limiter.Record(now);
        if (automatic) SetIntent(_intent with { Restarts = _intent.Restarts + 1 });
        _runs++;
        _startedAt = now;
        _nextStartAt = null;
        _runSpec = SpecForRun();
        _runner = Context.ActorOf(ProcessRunner.Props(_runSpec, _settings, _options.Launcher, _output), $"runner-{_runs}");
        ArmRunDeadlines();
        Enter(ProcessState.Starting, IsJob && _settings.Retry.MaxAttempts > 1 ? $"{reason} (attempt {_jobRuns} of {_settings.Retry.MaxAttempts})" : reason);
    }

    /// <summary>Opens the log for the current settings if needed; only ever called while no run writes to it.</summary>
    private bool EnsureLog()
    {
        if (!_logStale) return true;
        _output?.Dispose();
        _output = null;
        try
        {
            _output = _options.OpenLog(_settings, _tail);
        }
        catch (LogWriteException e)
        {
            Enter(ProcessState.Failed, e.Message);
            return false;
        }
        _logStale = false;
        return true;
    }

    private void OnRunnerStarted(ProcessRunner.Started m)
    {
        if (!Sender.Equals(_runner)) return;
        _pid = m.Pid;
        _runningSince = Now;
        if (_state != ProcessState.Starting) return;
        Enter(ProcessState.Running, $"pid {m.Pid}");
        StartProbes(m.Pid);
    }

    private void OnRunEnded(RunEnded m)
    {
        if (!m.Runner.Equals(_runner)) return;
        var now = Elapsed;
        var uptime = _startedAt is { } started ? now - started : TimeSpan.Zero;
        _runner = null;
        _pid = null;
        _runningSince = null;
        StopProbes();
        DisarmRunDeadlines();
        var (cause, timedOut) = (_runFailCause, _timedOut);
        TakeOverStop();
        // A run stopped at its deadline is recorded as coreutils timeout records it: exit code 124.
        var exit = timedOut ? ExitStatus.Exited(ExitClassifier.TimedOutCode) : m.Exit;
        _lastExit = exit ?? _lastExit;
        // "exited with signal SIGKILL (9) after 4.5s; the group did not stop...": the uptime belongs to the exit.
        var ended = (m.Exit is null ? m.Reason : $"{m.Reason} after {Seconds(uptime)}") + (m.Note is null ? "" : $"; {m.Note}");
        var what = cause is null ? ended : $"{cause}; {ended}";
        bool failed = m.Failed || cause is not null;
        Log(failed ? LogLevel.WarningLevel : LogLevel.InfoLevel, $"{Name}: {what}");
        // A run that stayed up long enough proves the fault is over: the backoff starts again from min.
        if (uptime >= _settings.Backoff.ResetAfter) _attempt = 0;

        if (_state == ProcessState.Stopping && cause is null)
        {
            Enter(ProcessState.Stopped, $"{_stopReason}; {what}");
            foreach (var waiter in _stopWaiters) waiter.Tell(new ProcessStopped(Name));
            _stopWaiters.Clear();
            if (_queuedStart is { } queued)
            {
                _queuedStart = null;
                FreshStart(queued);
            }
            return;
        }
        AfterRun(what, ExitClassifier.Classify(_settings, exit, failed, timedOut), now);
    }

    /// <summary>What comes after a run that ended by itself (or by a probe or deadline): done, failed, or another run.</summary>
    private void AfterRun(string what, ExitClassification exit, TimeSpan now)
    {
        if (exit.Class == ExitClass.Permanent)
        {
            Enter(ProcessState.Failed, $"{what}; {exit.Why}: not retried");
            return;
        }
        bool success = exit.Class == ExitClass.Success;
        bool restart = success ? _settings.Restart == RestartPolicy.Always : _settings.Restart != RestartPolicy.Never;
        if (!restart)
        {
            var policy = $"restart = {_settings.Restart.ToString().ToLowerInvariant().Replace("onfailure", "on-failure")}";
            // A success the policy does not repeat is a finished job, not an operator's stop.
            Enter(success ? ProcessState.Completed : ProcessState.Failed,
                IsJob ? $"{what}; {(success ? "completed" : $"{exit.Why}; {policy}")}" : $"{what}; {policy}");
            return;
        }
        var retries = IsJob ? $"; {exit.Why}" : "";
        if (IsJob && _budgetSpent)
        {
            Enter(ProcessState.Failed, $"{what}; retry budget of {Seconds(_settings.Retry.Budget ?? TimeSpan.Zero)} spent");
            return;
        }
        if (IsJob && _jobRuns >= _settings.Retry.MaxAttempts)
        {
            Enter(ProcessState.Failed, $"{what}{retries}; out of attempts ({_jobRuns} of {_settings.Retry.MaxAttempts})");
            return;
        }
        var backoff = IsJob && _settings.Retry.Backoff is { } retryBackoff ? retryBackoff : _settings.Backoff;
        var delay = BackoffPolicy.Delay(backoff, _attempt, _options.Random);
        _attempt++;
        _lastEndReason = what;
        if (IsJob && _budgetEndsAt is { } budgetEnd && now + delay >= budgetEnd)
        {
            Enter(ProcessState.Failed, $"{what}{retries}; the next attempt (in {Seconds(delay)}) would start after the retry budget of {Seconds(_settings.Retry.Budget!.Value)} ends");
            return;
        }
        if (!_limiter.Allows(now + delay))
        {
            GiveUp();
            return;
        }
        _nextStartAt = Now + delay;
        Enter(ProcessState.BackingOff, IsJob
            ? $"{what}{retries}; attempt {_jobRuns + 1} of {_settings.Retry.MaxAttempts} in {Seconds(delay)}"
            : $"{what}; next start in {Seconds(delay)}");
        // The scheduler would round a zero delay up to its tick (10 ms): go straight through the mailbox.
        if (delay <= TimeSpan.Zero) Self.Tell(new BackoffElapsed());
        else Timers.StartSingleTimer(BackoffTimer, new BackoffElapsed(), delay);
    }

    private string RestartReason() => $"restart {_intent.Restarts + 1}" + (_lastEndReason is null ? "" : $" after: {_lastEndReason}");

    private void GiveUp()
    {
        _nextStartAt = null;
        var limit = _settings.StartLimit;
        Enter(ProcessState.Failed,
            $"start limit hit: {limit.Burst} starts within {Seconds(limit.Interval)}" +
            (_lastEndReason is null ? "" : $"; last run {_lastEndReason}") + "; start it again by hand once fixed");
    }

    private void Enter(ProcessState state, string reason)
    {
        _state = state;
        _reason = reason;
        // Done with running (not a stop on the way to a queued start): another node may have the lease now.
        if (state is ProcessState.Stopped or ProcessState.Failed or ProcessState.Completed && _queuedStart is null)
        {
            ReleaseLease();
            _guard.Tell(new TimeoutGuard.Disarm(Deadline.Budget));
        }
        _trail.Add(new Transition(Now, state, reason));
        Context.Parent.Tell(new ProcessStateChanged(Name, state, reason, _lastExit));
        var level = state switch
        {
            ProcessState.Failed => LogLevel.ErrorLevel,
            ProcessState.BackingOff => LogLevel.WarningLevel,
            _ => LogLevel.InfoLevel,
        };
        Log(level, $"{Name}: {state.ToDisplay()} ({reason})");
        // Settled: running, or the launch failed, or it was stopped before it got anywhere.
        if (!StartUnderWay && state != ProcessState.Stopping && _startWaiters.Count > 0)
        {
            var status = Status();
            foreach (var waiter in _startWaiters) waiter.Tell(status);
            _startWaiters.Clear();
        }
    }

    /// <summary>Records what must survive a node restart and tells the node, which saves it.</summary>
    private void SetIntent(SavedIntent intent)
    {
        if (intent == _intent) return;
        _intent = intent;
        Context.Parent.Tell(new IntentChanged(Name, intent));
    }

    private void Log(LogLevel level, string text) => _log.Log(level, null, "{0}", text);

    private ProcessStatus Status() =>
        new(Name, _settings.Description, _state, _pid, _runningSince, _intent.Restarts, _lastExit, _nextStartAt, _reason, _trail.ToList(), LeaseView())
        {
            Kind = _settings.Kind,
            Probes = ProbesView(),
            LogError = _output?.Error,
        };

    internal static string Seconds(TimeSpan span) => span.TotalSeconds switch
    {
        0 => "0s",
        < 1 => $"{span.TotalMilliseconds:0.#}ms",
        < 120 => $"{span.TotalSeconds:0.##}s",
        _ => $"{span.TotalMinutes:0.#}m",
    };
}
