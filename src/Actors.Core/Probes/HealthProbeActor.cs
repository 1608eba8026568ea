using Akka.Actor;
using Akka.Event;
using Actors.Configuration;
using static Actors.Probes.HealthProbe;

namespace Actors.Probes;

/// <summary>
/// Runs one probe with Kubernetes semantics, on the actor's scheduler only (so TestKit's TestScheduler drives it):
/// the first check <c>InitialDelay</c> after the actor starts, then one per <c>Period</c> counted from the start of
/// the previous one. A tick that finds a check still running is skipped: never two checks at a time. Each check
/// is bounded by <c>Timeout</c>; its result is tagged with a sequence number so the late answer of a check that
/// already timed out is ignored. Every result goes to the parent as <see cref="ProbeChecked"/>; crossing a
/// threshold (from unknown or the opposite state) as <see cref="ProbePassed"/> or <see cref="ProbeFailed"/>.
/// </summary>
internal sealed class HealthProbeActor : ReceiveActor, IWithTimers
{
    private const string TickTimer = "tick";
    private const string TimeoutTimer = "timeout";

    private readonly ProbeSettings _settings;
    private readonly IProbeCheck _check;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ThresholdCounter _counter;

    /// <summary>Sequence number of the latest check started; results of any other are stale.</summary>
    private long _sequence;

    /// <summary>The running check's cancellation, or null when no check runs.</summary>
    private CancellationTokenSource? _running;

    public ITimerScheduler Timers { get; set; } = null!;

    public HealthProbeActor(ProbeSettings settings, IProbeCheck check)
    {
        _settings = settings;
        _check = check;
        _counter = new ThresholdCounter(settings.SuccessThreshold, settings.FailureThreshold);

        Receive<Tick>(_ => OnTick());
        Receive<CheckDone>(OnCheckDone);
        Receive<CheckTimedOut>(OnCheckTimedOut);
    }

    protected override void PreStart() =>
        // A periodic timer keeps the period anchored to the schedule (no drift from how long a check took).
        Timers.StartPeriodicTimer(TickTimer, Tick.Instance, _settings.InitialDelay, _settings.Period);

    protected override void PostStop() =>
        // The probe stops with its process run: a check still running (an exec probe's command) is cancelled.
        CancelRunning();

    private void OnTick()
    {
        if (_running is not null)
        {
            _log.Debug("{0} probe: check #{1} still running at the next period, tick skipped", _settings.RoleName, _sequence);
            return;
        }

        var sequence = ++_sequence;
        var cancellation = new CancellationTokenSource();
        _running = cancellation;
        Timers.StartSingleTimer(TimeoutTimer, new CheckTimedOut(sequence), _settings.Timeout);

        Start(cancellation.Token)
            .PipeTo(Self,
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
        if (done.Sequence != _sequence || _running is null)
            return; // a check that already timed out answered late: its outcome was counted as the timeout.

        Timers.Cancel(TimeoutTimer);
        _running.Dispose();
        _running = null;
        Report(done.Outcome);
    }

    private void OnCheckTimedOut(CheckTimedOut timedOut)
    {
        if (timedOut.Sequence != _sequence || _running is null)
            return; // the check answered first; its cancelled timer's message was already queued.

        CancelRunning();
        Report(ProbeOutcome.Fail($"timed out after {HoconScalars.Format(_settings.Timeout)}"));
    }

    private void CancelRunning()
    {
        if (_running is not { } cancellation)
            return;
        _running = null;
        // Cancelling runs the check's callbacks (an exec probe kills its process tree): off this actor's thread.
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
}
