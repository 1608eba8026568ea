using Akka.Actor;
using Akka.Event;
using Actors.Configuration;
using Actors.Logging;
using Actors.Processes;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

internal sealed class ProcessSupervisorActor : ReceiveActor, IWithTimers
{
    private const string BackoffTimer = "backoff";
    private sealed record BackoffElapsed;
    private sealed record RunEnded(IActorRef Runner, ExitStatus? Exit, string Reason, bool Failed);

    private readonly ProcessSettings _settings;
    private readonly SupervisorOptions _options;
    private readonly LaunchSpec _spec;
    private readonly StartLimiter _limiter;
    private readonly TransitionTrail _trail = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _stopWaiters = new();
    private readonly LogTail _tail;
    private ProcessLogWriter? _output;

    private ProcessState _state = ProcessState.Stopped;
    private string _reason = "not started yet";
    private IActorRef? _runner;
    private int _runs, _attempt, _restarts;
    private int? _pid;
    private DateTimeOffset? _runningSince, _startedAt, _nextStartAt;
    private ExitStatus? _lastExit;
    private bool _startAfterStop;
    private string? _lastEndReason;
    private string? _stopReason;

    public ITimerScheduler Timers { get; set; } = null!;

    public ProcessSupervisorActor(ProcessSettings settings, SupervisorOptions options, SavedIntent saved)
    {
        _settings = settings;
        _options = options;
        _spec = LaunchSpecs.From(settings);
        _limiter = new StartLimiter(settings.StartLimit);
        _tail = new LogTail(options.TailLines);

        Receive<StartProcess>(m => { OnStart(m.Reason); Sender.Tell(Status()); });
        Receive<StopProcess>(OnStop);
        Receive<GetStatus>(_ => Sender.Tell(Status()));
        Receive<BackoffElapsed>(_ => { if (_state == ProcessState.BackingOff) StartRun(RestartReason(), automatic: true); });
        Receive<ProcessRunner.Started>(OnRunnerStarted);
        Receive<ProcessRunner.Finished>(m => OnRunEnded(new RunEnded(Sender, m.Exit, Describe(m.Exit, m.Note), false)));
        // Runs end through Finished or a failure (RunEnded), never through Terminated: Terminated can overtake
        // a runner's last message, so runners are not watched.
        Receive<RunEnded>(OnRunEnded);
    }

    private DateTimeOffset Now => Context.System.Scheduler.Now;
    private string Name => _settings.Name;

    protected override void PreStart()
    {
        try
        {
            _output = _options.OpenLog(_settings, _tail);
        }
        catch (LogWriteException e)
        {
            Enter(ProcessState.Failed, e.Message);
            return;
        }
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
        Self.Tell(new RunEnded(Sender, failure?.Exit, failure?.Message ?? $"runner crashed: {e.Message}", true));
        return Directive.Stop;
    }, loggingEnabled: false);

    private void OnStart(string reason)
    {
        switch (_state)
        {
            case ProcessState.Stopped or ProcessState.Failed:
                _limiter.Reset();
                _attempt = 0;
                StartRun(reason, automatic: false);
                break;
            case ProcessState.BackingOff:
                Timers.Cancel(BackoffTimer);
                StartRun(reason, automatic: false);
                break;
            case ProcessState.Stopping:
                // Queued: the start runs once the stop completes, so there are never two instances.
                _startAfterStop = true;
                break;
        }
    }

    private void OnStop(StopProcess m)
    {
        _startAfterStop = false;
        switch (_state)
        {
            case ProcessState.Starting or ProcessState.Running:
                _stopWaiters.Add(Sender);
                _stopReason = m.Reason;
                Enter(ProcessState.Stopping, $"{m.Reason}; SIG{_settings.Stop.SignalName} to the group, SIGKILL after {Seconds(_settings.Stop.Timeout)}");
                _runner!.Tell(new ProcessRunner.Stop(m.Reason));
                break;
            case ProcessState.Stopping:
                _stopWaiters.Add(Sender);
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

    private void StartRun(string reason, bool automatic)
    {
        var now = Now;
        if (!_limiter.Allows(now))
        {
            GiveUp();
            return;
        }
        _limiter.Record(now);
        if (automatic) _restarts++;
        _runs++;
        _startedAt = now;
        _nextStartAt = null;
        _runner = Context.ActorOf(ProcessRunner.Props(_spec, _settings, _options.Launcher, _output), $"runner-{_runs}");
        Enter(ProcessState.Starting, reason);
    }

    private void OnRunnerStarted(ProcessRunner.Started m)
    {
        if (!Sender.Equals(_runner)) return;
        _pid = m.Pid;
        _runningSince = Now;
        if (_state == ProcessState.Starting) Enter(ProcessState.Running, $"pid {m.Pid}");
    }

    private void OnRunEnded(RunEnded m)
    {
        if (!m.Runner.Equals(_runner)) return;
        var now = Now;
        var uptime = _startedAt is { } started ? now - started : TimeSpan.Zero;
        _runner = null;
        _pid = null;
        _runningSince = null;
        _lastExit = m.Exit ?? _lastExit;
        var what = m.Exit is null ? m.Reason : $"{m.Reason} after {Seconds(uptime)}";
        Log(m.Failed ? LogLevel.WarningLevel : LogLevel.InfoLevel, $"{Name}: {what}");
        // A run that stayed up long enough proves the fault is over: the backoff starts again from min.
        if (uptime >= _settings.Backoff.ResetAfter) _attempt = 0;

        if (_state == ProcessState.Stopping)
        {
            Enter(ProcessState.Stopped, $"{_stopReason}; {what}");
            foreach (var waiter in _stopWaiters) waiter.Tell(new ProcessStopped(Name));
            _stopWaiters.Clear();
            if (_startAfterStop)
            {
                _startAfterStop = false;
                OnStart("started by request (queued during stop)");
            }
            return;
        }

        bool restart = _settings.Restart == RestartPolicy.Always || (_settings.Restart == RestartPolicy.OnFailure && m.Failed);
        if (!restart)
        {
            var policy = $"restart = {_settings.Restart.ToString().ToLowerInvariant().Replace("onfailure", "on-failure")}";
            Enter(m.Failed ? ProcessState.Failed : ProcessState.Stopped, $"{what}; {policy}");
            return;
        }
        var delay = BackoffPolicy.Delay(_settings.Backoff, _attempt, _options.Random);
        _attempt++;
        _lastEndReason = what;
        if (!_limiter.Allows(now + delay))
        {
            GiveUp();
            return;
        }
        _nextStartAt = now + delay;
        Enter(ProcessState.BackingOff, $"{what}; next start in {Seconds(delay)}");
        // The scheduler would round a zero delay up to its tick (10 ms): go straight through the mailbox.
        if (delay <= TimeSpan.Zero) Self.Tell(new BackoffElapsed());
        else Timers.StartSingleTimer(BackoffTimer, new BackoffElapsed(), delay);
    }

    private string RestartReason() => $"restart {_restarts + 1}" + (_lastEndReason is null ? "" : $" after: {_lastEndReason}");

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
        _trail.Add(new Transition(Now, state, reason));
        var level = state switch
        {
            ProcessState.Failed => LogLevel.ErrorLevel,
            ProcessState.BackingOff => LogLevel.WarningLevel,
            _ => LogLevel.InfoLevel,
        };
        Log(level, $"{Name}: {state.ToDisplay()} ({reason})");
    }

    private void Log(LogLevel level, string text) => _log.Log(level, null, "{0}", text);

    private ProcessStatus Status() =>
        new(Name, _settings.Description, _state, _pid, _runningSince, _restarts, _lastExit, _nextStartAt, _reason, _trail.ToList());

    private static string Describe(ExitStatus exit, string? note) =>
        note is null ? $"exited with {exit}" : $"exited with {exit}; {note}";

    internal static string Seconds(TimeSpan span) => span.TotalSeconds switch
    {
        0 => "0s",
        < 1 => $"{span.TotalMilliseconds:0.#}ms",
        < 120 => $"{span.TotalSeconds:0.##}s",
        _ => $"{span.TotalMinutes:0.#}m",
    };
}
