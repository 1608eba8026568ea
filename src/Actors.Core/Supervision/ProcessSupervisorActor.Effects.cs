using Akka.Actor;
using Akka.Event;
using Actors.Configuration;
using Actors.Leases;
using Actors.Logging;
using Actors.Probes;
using Actors.Processes;
using Actors.Timeouts;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>
/// Carrying out what the lifecycle decided: the children (runner, probes, lease keeper, timeout), the log, timers
/// and answers. Nothing here decides; what it learns on the way (a log that would not open) goes back as an event.
/// </summary>
internal sealed partial class ProcessSupervisorActor
{
    private const string BackoffTimer = "backoff";

    private readonly Queue<LifecycleEvent> _followUps = new();
    // Askers of a start (start, restart, new settings) waiting for it to settle, and askers of a stop.
    private readonly List<IActorRef> _startWaiters = new();
    private readonly List<IActorRef> _stopWaiters = new();
    private readonly Dictionary<ProbeRole, IActorRef> _probes = new();
    private readonly LogTail _tail;
    private ProcessLogWriter? _output;
    // log.stderr = separate: the writer of NAME.err.log (fed into the same tail); null when merged.
    private ProcessLogWriter? _errorOutput;
    /// <summary>Bytes logged by the log writers this supervisor closed already (a reload reopens the log).</summary>
    private long _closedLogBytes;
    private LaunchSpec _spec;
    // The spec of the current run (with its lease token): what its probes run with.
    private LaunchSpec _runSpec;
    private IActorRef? _runner;
    private IActorRef _guard = ActorRefs.Nobody;
    private IActorRef? _leaseKeeper;
    // The lease the keeper holds: asked (in memory) whether it still vouches for the holding before each decision.
    private Akka.Coordination.Lease? _lease;
    // readiness = notify: the current run's NOTIFY_SOCKET.
    private NotifySocket? _notify;
    private int _leaseKeepers;

    private void CarryOut(Effect effect)
    {
        switch (effect)
        {
            case Effect.Launch launch:
                // With env files, each start reads them anew (an edited file takes effect at the next start).
                var spec = _life.Settings.EnvFiles.Files.Count > 0 ? LaunchSpecs.From(_life.Settings) : _spec;
                _runSpec = launch.LeaseToken is { } token ? WithLeaseToken(spec, token) : spec;
                if (launch.LeaseToken is not null && _life.Settings.Lease is { DeadMan: true } fenced)
                    _runSpec = _runSpec with
                    {
                        Fence = new DeadManFence(fenced.Name, _life.Settings.Stop.Signal, fenced.DeadManTimings(_life.Settings.Stop.Timeout).Grace),
                    };
                _runSpec = WithNotifySocket(_runSpec, launch.Run);
                PrepareLog(launch.Run);
                _runner = Context.ActorOf(ProcessRunner.Props(_runSpec, _life.Settings, _options.Launcher, _output, _errorOutput),
                    $"runner-{launch.Run}");
                break;
            case Effect.StopGroup stop:
                _runner?.Tell(new ProcessRunner.Stop(stop.Reason, stop.KillNow));
                break;
            case Effect.OpenLog:
                _followUps.Enqueue(new LifecycleEvent.LogOpened(OpenLog()));
                break;
            case Effect.ScheduleStart start:
                // The scheduler would round a zero delay up to its tick (10 ms): go straight through the mailbox.
                if (start.Delay <= TimeSpan.Zero) Self.Tell(new BackoffElapsed());
                else Timers.StartSingleTimer(BackoffTimer, new BackoffElapsed(), start.Delay);
                break;
            case Effect.CancelScheduledStart:
                Timers.Cancel(BackoffTimer);
                break;
            case Effect.ArmDeadline arm:
                _guard.Tell(new TimeoutGuard.Arm(arm.Deadline, arm.After, arm.From, arm.Tag));
                break;
            case Effect.DisarmDeadline disarm:
                _guard.Tell(new TimeoutGuard.Disarm(disarm.Deadline));
                break;
            case Effect.StartProbe probe:
                StartProbe(probe);
                break;
            case Effect.StopProbe stop:
                if (_probes.Remove(stop.Role, out var stopped)) Context.Stop(stopped);
                break;
            case Effect.StopProbes:
                foreach (var probe in _probes.Values) Context.Stop(probe);
                _probes.Clear();
                break;
            case Effect.AcquireLease:
                _leaseKeeper?.Tell(LeaseKeeper.Acquire.Instance);
                break;
            case Effect.ReleaseLease:
                _leaseKeeper?.Tell(LeaseKeeper.Release.Instance);
                break;
            case Effect.ReplaceLeaseKeeper:
                if (_leaseKeeper is not null) Context.Stop(_leaseKeeper);
                CreateLeaseKeeper();
                break;
            case Effect.Report report:
                Report(report);
                break;
            case Effect.Log log:
                Log(log.Level, log.Text);
                break;
            case Effect.SaveIntent intent:
                Context.Parent.Tell(new IntentChanged(Name, intent.Intent));
                break;
            case Effect.ReplyStatus reply:
                Sender.Tell(Status(reply.At));
                break;
            case Effect.ReplyStopped:
                Sender.Tell(new ProcessStopped(Name));
                break;
            case Effect.AwaitStart:
                _startWaiters.Add(Sender);
                break;
            case Effect.AwaitStop:
                _stopWaiters.Add(Sender);
                break;
            case Effect.SettleStarts settle when _startWaiters.Count > 0:
                var status = Status(settle.At);
                foreach (var waiter in _startWaiters) waiter.Tell(status);
                _startWaiters.Clear();
                break;
            case Effect.SettleStarts:
                break;
            case Effect.SettleStops:
                foreach (var waiter in _stopWaiters) waiter.Tell(new ProcessStopped(Name));
                _stopWaiters.Clear();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(effect), effect, "not an effect this actor knows");
        }
    }

    private void Report(Effect.Report report)
    {
        var (state, reason) = (report.Transition.State, report.Transition.Reason);
        var level = state switch
        {
            ProcessState.Failed => LogLevel.ErrorLevel,
            ProcessState.BackingOff => LogLevel.WarningLevel,
            _ => LogLevel.InfoLevel,
        };
        // Logged before anyone hears of it: what the transition sets off elsewhere (a dependent starting) is logged by
        // other actors, and the node's log must show cause before effect (told first, "web: starting" came 4 ms before
        // "db: running" on a loaded machine).
        Log(level, $"{Name}: {state.ToDisplay()} ({reason})");
        Context.Parent.Tell(new ProcessStateChanged(Name, state, reason, report.LastExit));
    }

    /// <summary>Opens the log for the current settings (only ever while no run writes to it); the failure, if any.</summary>
    private string? OpenLog()
    {
        _closedLogBytes += (_output?.BytesRead ?? 0) + (_errorOutput?.BytesRead ?? 0);
        _output?.Dispose();
        _errorOutput?.Dispose();
        _output = _errorOutput = null;
        try
        {
            _output = _options.OpenLog(_life.Settings, _tail);
            // Opened the same way as the log (a host that discards output, a simulation, discard this too), into the same tail.
            if (_output is not null && _life.Settings.Log.ErrorFile is { } errorFile)
                _errorOutput = _options.OpenLog(_life.Settings with { Log = _life.Settings.Log with { File = errorFile, ErrorFile = null } }, _tail);
            return null;
        }
        catch (LogWriteException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Before run <paramref name="run"/> starts (its pre-start hook included): log.truncate-on-start empties the log and
    /// the tail; ready-log-line watches the log for this run's line (what an earlier run's watch reports is dropped by
    /// its run number).
    /// </summary>
    private void PrepareLog(int run)
    {
        if (_life.Settings.Log.TruncateOnStart)
        {
            try
            {
                _output?.Truncate();
                _errorOutput?.Truncate();
            }
            catch (LogWriteException e)
            {
                // Not a reason to keep the process down: its output goes on at the end of the file.
                Log(LogLevel.WarningLevel, $"{Name}: {e.Message}; the log was not emptied");
            }
        }
        Action<string>? onMatch = null;
        if (_life.Settings.ReadyLogLine is not null)
        {
            var self = Self;
            onMatch = line => self.Tell(new LogLineReceived(run, line));
        }
        var pattern = _life.Settings.ReadyLogLine?.Regex;
        _output?.WatchForLine(pattern, onMatch);
        _errorOutput?.WatchForLine(pattern, onMatch);
    }

    /// <summary>
    /// The run's own environment: which lease it runs under and its fencing token. Token 0 is none (a lease.class
    /// implementation that hands out no tokens): then ACTORS_LEASE_TOKEN is left out, not set to a value that could
    /// be mistaken for one.
    /// </summary>
    private LaunchSpec WithLeaseToken(LaunchSpec spec, long token)
    {
        var env = new Dictionary<string, string> { ["ACTORS_LEASE_NAME"] = _life.Settings.Lease!.Name };
        if (token > 0) env["ACTORS_LEASE_TOKEN"] = token.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Nor one inherited from the node's own environment.
        else spec = spec with { Environment = spec.Environment.Where(entry => !entry.StartsWith("ACTORS_LEASE_TOKEN=", StringComparison.Ordinal)).ToList() };
        return LaunchSpecs.WithEnvironment(spec, env);
    }

    /// <summary>
    /// readiness = notify: a fresh socket for this run (the previous run's is closed), named in NOTIFY_SOCKET. A
    /// socket that cannot be opened leaves the run without one: it is never ready, and the readiness check says why.
    /// </summary>
    private LaunchSpec WithNotifySocket(LaunchSpec spec, int run)
    {
        _notify?.Dispose();
        _notify = null;
        if (_life.Settings.Readiness != ReadinessSource.Notify) return spec;
        var self = Self;
        try
        {
            _notify = NotifySocket.Open(_options.NotifyFolder, Name, run, text => self.Tell(new NotifyReceived(run, text)));
            return LaunchSpecs.WithEnvironment(spec, new Dictionary<string, string> { [LaunchSpecs.NotifySocketVariable] = _notify.Path });
        }
        catch (IOException e)
        {
            Log(LogLevel.ErrorLevel, $"{Name}: {e.Message}; it cannot become ready");
            _followUps.Enqueue(new LifecycleEvent.ProbeChecked(ProbeRole.Readiness, e.Message));
            return spec;
        }
    }

    private void StartProbe(Effect.StartProbe m)
    {
        var context = new ProbeContext(_runSpec.WorkingDir, _runSpec.Environment, m.Pid) { ShimOptions = _runSpec.ShimOptions };
        var check = _options.ProbeChecks(m.Probe, context);
        // Named per run: the previous run's probe may not have stopped yet.
        _probes[m.Probe.Role] = Context.ActorOf(HealthProbe.Props(m.Probe, check, _clock), $"{HealthProbe.ChildName(m.Probe.Role)}-{m.Run}");
    }

    private bool IsCurrentProbe(ProbeRole role) => _probes.TryGetValue(role, out var probe) && probe.Equals(Sender);

    private void CreateLeaseKeeper()
    {
        _leaseKeeper = null;
        _lease = null;
        if (_life.Settings.Lease is not { } lease) return;
        var instance = _options.LeaseFactory(_life.Settings, Context.System, _options.NodeId);
        // The dead-man switch hears of every holding that landed; the groups under the lease must be dead by the
        // kill time it is given (see DeadManTimings).
        if (lease.DeadMan && _options.DeadMan is { } deadMan && instance is IDeadManLease fenced)
        {
            var killAfter = (long)(lease.DeadManTimings(_life.Settings.Stop.Timeout).KillAfter.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
            var name = lease.Name;
            fenced.Renewed = stampedAt => deadMan.Renewed(name, stampedAt + killAfter);
        }
        // When the node dies, its watchdog kills the groups and then frees each holding it was told of (whatever
        // lease.dead-man says: that setting is about a frozen node; a dead one holds nothing).
        if (_options.DeadMan is { } watchdog && instance is IDeadManLease holdings)
            holdings.Held = watchdog.Held;
        _lease = instance;
        // A reload that changes the lease replaces the keeper; the old one may not have stopped yet, so the new
        // one gets a new name.
        _leaseKeepers++;
        _leaseKeeper = Context.ActorOf(LeaseKeeper.Props(instance, lease.HeartbeatInterval), _leaseKeepers == 1 ? "lease" : $"lease-{_leaseKeepers}");
    }

    private ProcessStatus Status(LifecycleState s) =>
        new(s.Name, s.Settings.Description, s.State, s.Pid, s.RunningSince, s.Intent.Restarts, s.LastExit, s.NextStartAt, s.Reason,
            s.Trail.ToArray(), ProcessLifecycle.LeaseView(s, _clock.Monotonic))
        {
            Kind = s.Settings.Kind,
            Probes = ProcessLifecycle.ProbesView(s),
            LogError = _output?.Error ?? _errorOutput?.Error,
            LogBytes = _closedLogBytes + (_output?.BytesRead ?? 0) + (_errorOutput?.BytesRead ?? 0),
            Exec = s.Settings.Exec,
            Replica = s.Settings.Replica,
        };
}
