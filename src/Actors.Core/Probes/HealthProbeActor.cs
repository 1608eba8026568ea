using Akka.Actor;
using Akka.Event;
using Actors.Configuration;
using Actors.Scheduling;
using static Actors.Probes.HealthProbe;

namespace Actors.Probes;

/// <summary>
/// Runs one probe with Kubernetes semantics, on the actor's scheduler only (so TestKit's TestScheduler drives it):
/// the first check <c>InitialDelay</c> after the actor starts, then one per <c>Period</c> counted from the start of
/// the previous one. Each check is bounded by <c>Timeout</c>: at the timeout it fails ("timed out after …") and is
/// cancelled (an exec check's process group is killed). Its result is tagged with a sequence number, so the late
/// answer of a check that already timed out is ignored. Every result goes to the parent as <see cref="ProbeChecked"/>;
/// crossing a threshold (from unknown or the opposite state) as <see cref="ProbePassed"/> or <see cref="ProbeFailed"/>.
/// <para>
/// At most one check is outstanding, ever: a check counts as running until its task has really ended, cancelled or
/// not, and a tick that finds one running starts none. A tick that finds a cancelled check still ending (killing an
/// exec probe's group takes a moment) runs the next check as soon as it has ended, so the period holds. A check that
/// has not ended <see cref="StuckGrace"/> after its cancellation is stuck (a blocking call that ignores the token, a
/// command in uninterruptible sleep): every tick it still blocks fails with "check stuck for …", so the thresholds go
/// on deciding (a stuck liveness check restarts the process) instead of the probe going silent, and no new check,
/// process or pipe piles up behind it. Once it ends, checks resume at the next period.
/// </para>
/// </summary>
// An UntypedActor: one is made per probe per run, and a ReceiveActor would build its handler table each time.
internal sealed class HealthProbeActor : UntypedActor, IWithTimers
{
    private const string TickTimer = "tick";
    private const string TimeoutTimer = "timeout";

    /// <summary>
    /// How long a cancelled check may take to end before it counts as stuck: its timeout, but at least 10 s. An exec
    /// check's cancellation sends SIGKILL to its command's group and waits for the command to be reaped, and on a busy
    /// machine the kill and the reap take seconds (measured here: 2.7 s at a load of 40); a check still running after
    /// that ignores its cancellation for real.
    /// </summary>
    private TimeSpan StuckGrace => _settings.Timeout > MinimumStuckGrace ? _settings.Timeout : MinimumStuckGrace;

    private static readonly TimeSpan MinimumStuckGrace = TimeSpan.FromSeconds(10);

    private readonly ProbeSettings _settings;
    private readonly IProbeCheck _check;
    private readonly PolicyClock _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ThresholdCounter _counter;

    /// <summary>Sequence number of the latest check started; results of any other are stale.</summary>
    private long _sequence;

    /// <summary>The outstanding check (until its task ended, also after its timeout), or null when none is.</summary>
    private RunningCheck? _running;

    /// <summary>A tick came while the cancelled check was still ending: the next check starts once it has ended.</summary>
    private bool _tickDeferred;

    public ITimerScheduler Timers { get; set; } = null!;

    public HealthProbeActor(ProbeSettings settings, IProbeCheck check, PolicyClock? clock)
    {
        _settings = settings;
        _check = check;
        _clock = clock ?? PolicyClock.Of(Context.System.Scheduler);
        _counter = new ThresholdCounter(settings.SuccessThreshold, settings.FailureThreshold);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Tick:
                OnTick();
                break;
            case CheckDone done:
                OnCheckDone(done);
                break;
            case CheckTimedOut timedOut:
                OnCheckTimedOut(timedOut);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void PreStart() =>
        // A periodic timer keeps the period anchored to the schedule (no drift from how long a check took).
        Timers.StartPeriodicTimer(TickTimer, Tick.Instance, _settings.InitialDelay, _settings.Period);

    protected override void PostStop()
    {
        // The probe stops with its process run: a check still running (an exec probe's command) is cancelled.
        if (_running is { CancelledAt: null } running)
            Cancel(running);
    }

    private void OnTick()
    {
        // A cancelled check whose task has ended is over, even if its CheckDone is still on the way (then ignored).
        if (_running is { CancelledAt: not null, Task.IsCompleted: true } ended)
            Ended(ended);
        if (_running is not { } running)
        {
            StartCheck();
            return;
        }

        var now = _clock.Monotonic;
        if (running.CancelledAt is not { } cancelledAt)
        {
            _log.Debug("{0} probe: check #{1} still running at the next period, tick skipped", _settings.RoleName, running.Sequence);
            return;
        }
        if (now - cancelledAt < StuckGrace)
        {
            _tickDeferred = true;
            return;
        }

        var detail = $"check stuck for {HeartbeatFileProbeCheck.Age(now - running.StartedAt)}: " +
            $"it did not end when cancelled at the {HoconScalars.Format(_settings.Timeout)} timeout; no new check until it does";
        if (!running.ReportedStuck)
            _log.Warning("{0} probe: {1}", _settings.RoleName, detail);
        running.ReportedStuck = true;
        _tickDeferred = false; // reported for this period: the next check waits for the next one
        Report(ProbeOutcome.Fail(detail));
    }

    private void StartCheck()
    {
        _tickDeferred = false;
        var sequence = ++_sequence;
        var cancellation = new CancellationTokenSource();
        var token = cancellation.Token;
        var task = Start(token);
        if (task.IsCompleted)
        {
            // Answered at once (a heartbeat file's age, a simulated check): no timeout to arm and no message to wait
            // for. Measured on bench/simulate (100 mixed processes, 24 virtual hours, about 1.1M checks): 15.7 -> 11.4 s of
            // CPU, median of 3 under load.
            cancellation.Dispose();
            Report(task.IsCompletedSuccessfully
                ? task.Result ?? ProbeOutcome.Fail("the check returned no outcome")
                : ProbeOutcome.Fail(Describe(task.Exception ?? (Exception)new TaskCanceledException(task))));
            return;
        }
        _running = new RunningCheck(sequence, cancellation, task, _clock.Monotonic);
        Timers.StartSingleTimer(TimeoutTimer, new CheckTimedOut(sequence), _settings.Timeout);

        task.PipeTo(Self,
            success: outcome => new CheckDone(sequence, outcome ?? ProbeOutcome.Fail("the check returned no outcome")),
            failure: error => new CheckDone(sequence, ProbeOutcome.Fail(Describe(error))));
    }

    private Task<ProbeOutcome> Start(CancellationToken cancellationToken)
    {
        // Task.Run: a check's synchronous part (fork/exec, DNS, stat) must not block this actor's thread.
        if (_check.MayBlock) return Task.Run(() => _check.RunAsync(cancellationToken), CancellationToken.None);
        try
        {
            return _check.RunAsync(cancellationToken);
        }
        catch (Exception e)
        {
            return Task.FromException<ProbeOutcome>(e);
        }
    }

    private void OnCheckDone(CheckDone done)
    {
        if (_running is not { } running || done.Sequence != running.Sequence)
            return;

        if (running.CancelledAt is null)
        {
            _running = null;
            running.Cancellation.Dispose();
            Timers.Cancel(TimeoutTimer);
            Report(done.Outcome);
            return;
        }
        // A check that already timed out answered late: its outcome was counted as the timeout.
        Ended(running);
        if (_tickDeferred)
            StartCheck();
    }

    /// <summary>The cancelled check <paramref name="running"/> has ended: the probe may run the next one.</summary>
    private void Ended(RunningCheck running)
    {
        _running = null;
        if (running.ReportedStuck)
            _log.Info("{0} probe: the stuck check ended after {1}; checks resume", _settings.RoleName,
                HeartbeatFileProbeCheck.Age(_clock.Monotonic - running.StartedAt));
    }

    private void OnCheckTimedOut(CheckTimedOut timedOut)
    {
        if (_running is not { } running || timedOut.Sequence != running.Sequence || running.CancelledAt is not null)
            return; // the check answered first; its cancelled timer's message was already queued.

        running.CancelledAt = _clock.Monotonic;
        Cancel(running);
        Report(ProbeOutcome.Fail($"timed out after {HoconScalars.Format(_settings.Timeout)}"));
    }

    /// <summary>
    /// Requests the check's cancellation; the check stays outstanding until its task ends. CancelAsync marks the
    /// token at once and runs the check's callbacks (an exec probe kills its process group) off this actor's thread;
    /// the source is disposed once they ran (a check that ended meanwhile no longer disposes it).
    /// </summary>
    private static void Cancel(RunningCheck running)
    {
        var cancellation = running.Cancellation;
        cancellation.CancelAsync().ContinueWith(_ => cancellation.Dispose(), TaskScheduler.Default);
    }

    private void Report(ProbeOutcome outcome)
    {
        var parent = Context.Parent;
        parent.Tell(new ProbeChecked(_settings.Role, outcome.Passed, outcome.Detail));
        switch (_counter.Record(outcome.Passed))
        {
            case ThresholdCounter.Transition.Passed:
                parent.Tell(new ProbePassed(_settings.Role, outcome.Detail));
                break;
            case ThresholdCounter.Transition.Failed:
                var reason = _settings.FailureThreshold == 1
                    ? outcome.Detail
                    : $"{outcome.Detail} ({_counter.ConsecutiveFailures} in a row)";
                parent.Tell(new ProbeFailed(_settings.Role, reason));
                break;
        }
    }

    /// <summary>A check that threw: its message only (a stack trace is no use in a status line).</summary>
    private static string Describe(Exception error) => error switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Describe(aggregate.InnerExceptions[0]),
        OperationCanceledException => "cancelled",
        _ when string.IsNullOrWhiteSpace(error.Message) => error.GetType().Name,
        _ => error.Message,
    };

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed record CheckDone(long Sequence, ProbeOutcome Outcome);

    private sealed record CheckTimedOut(long Sequence);

    /// <summary>The outstanding check: when it started and when it was cancelled (monotonic), whether it was reported stuck.</summary>
    private sealed class RunningCheck(long sequence, CancellationTokenSource cancellation, Task task, TimeSpan startedAt)
    {
        public long Sequence { get; } = sequence;
        public CancellationTokenSource Cancellation { get; } = cancellation;
        public Task Task { get; } = task;
        public TimeSpan StartedAt { get; } = startedAt;
        public TimeSpan? CancelledAt { get; set; }
        public bool ReportedStuck { get; set; }
    }
}
