using Actors.Supervision;
using Akka.Actor;
using Akka.Coordination;
using Akka.Event;
using static Actors.Leases.LeaseKeeper;

namespace Actors.Leases;

internal sealed class LeaseKeeperActor : DelegateReceiveActor, IWithTimers
{
    private const string RetryTimer = "retry", LookTimer = "look";
    private sealed record Retry;
    private sealed record Look;
    private sealed record Attempted(int Attempt, bool Acquired, string? Error);
    private sealed record Lost(int Attempt, string Reason);

    private readonly Lease _lease;
    private readonly TimeSpan _retryInterval;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _wanted, _held, _attempting;
    // Numbers the tries; a loss callback belongs to the try that took the lease, so a late loss of an earlier
    // holding is ignored.
    private int _attempt, _holding = -1;

    public ITimerScheduler Timers { get; set; } = null!;

    private string Name => _lease.Settings.LeaseName;

    public LeaseKeeperActor(Lease lease, TimeSpan retryInterval)
    {
        _lease = lease;
        _retryInterval = retryInterval;
        Receive<Acquire>(_ =>
        {
            _wanted = true;
            // A holding the lease no longer vouches for (its heartbeats stalled past what it allows: the node was
            // frozen) is not handed out again: the parent must wait for a new one.
            if (_held && !_lease.CheckLease())
            {
                _held = false;
                Timers.Cancel(LookTimer);
            }
            if (_held) Context.Parent.Tell(new LeaseAcquired(Name, TokenOf()));
            else TryAcquire();
        });
        Receive<Release>(_ => ReleaseLease());
        Receive<Retry>(_ => TryAcquire());
        Receive<Attempted>(OnAttempted);
        Receive<Lost>(OnLost);
        Receive<Look>(_ => LookAt());
        Receive<LeaseObserved>(m => Context.Parent.Tell(m));
        Receive<Status.Success>(_ => { });
        Receive<Status.Failure>(m => _log.Warning("lease {0}: {1}", Name, m.Cause.GetBaseException().Message));
    }

    private void TryAcquire()
    {
        if (!_wanted || _held || _attempting) return;
        _attempting = true;
        var attempt = ++_attempt;
        var self = Self;
        // The callback comes from the lease's own thread: it only posts a message.
        _lease.Acquire(e => self.Tell(new Lost(attempt, e?.Message ?? "lost")))
            .PipeTo(Self, success: ok => new Attempted(attempt, ok, null), failure: e => new Attempted(attempt, false, e.GetBaseException().Message));
    }

    private void OnAttempted(Attempted m)
    {
        _attempting = false;
        if (!_wanted)
        {
            // Released while the try was under way: give back what it may have taken.
            if (m.Acquired) ReleaseQuietly();
            return;
        }
        if (m.Acquired)
        {
            _held = true;
            _holding = m.Attempt;
            // Timers are armed before the parent hears anything, here and below: whoever learns of the outcome from the
            // parent (a status, a test on virtual time about to move the clock) finds the next look or try already due.
            Timers.StartPeriodicTimer(LookTimer, new Look(), _retryInterval);
            Context.Parent.Tell(new LeaseAcquired(Name, TokenOf()));
            LookAt();
            return;
        }
        if (m.Error is not null) _log.Warning("lease {0}: could not try to take it: {1}", Name, m.Error);
        Timers.StartSingleTimer(RetryTimer, new Retry(), _retryInterval);
        LookAt();
    }

    private void OnLost(Lost m)
    {
        if (!_held || m.Attempt != _holding) return;
        _held = false;
        Timers.Cancel(LookTimer);
        if (_wanted) Timers.StartSingleTimer(RetryTimer, new Retry(), _retryInterval);
        Context.Parent.Tell(new LeaseLost(Name, m.Reason));
    }

    private void ReleaseLease()
    {
        _wanted = false;
        Timers.CancelAll();
        if (_held) ReleaseNow();
        _held = false;
    }

    /// <summary>
    /// Waits for the release (a few milliseconds of file I/O, bounded by the operation timeout): when the node
    /// shuts down right after its processes stopped, the release must be done before the actor system goes.
    /// </summary>
    private void ReleaseNow()
    {
        try
        {
            _lease.Release().Wait(_lease.Settings.TimeoutSettings.OperationTimeout);
        }
        catch (AggregateException e)
        {
            _log.Warning("lease {0}: release failed: {1}", Name, e.GetBaseException().Message);
        }
    }

    private void ReleaseQuietly() =>
        _lease.Release().PipeTo(Self, success: _ => new Status.Success(null), failure: e => new Status.Failure(e));

    /// <summary>Who holds it now, read off the actor's thread (it is file I/O for a file lease).</summary>
    private void LookAt()
    {
        if (_lease is not IFencedLease fenced)
        {
            Context.Parent.Tell(new LeaseObserved(new LeaseStatus(Name, _held, null, 0, null)));
            return;
        }
        if (!fenced.InspectMayBlock)
        {
            Context.Parent.Tell(new LeaseObserved(fenced.Inspect()));
            return;
        }
        Task.Run(() => new LeaseObserved(fenced.Inspect())).PipeTo(Self, failure: e => new Status.Failure(e));
    }

    private long TokenOf() => _lease is IFencedLease fenced ? fenced.Token : 0;

    protected override void PostStop()
    {
        // The process supervisor (or the node) is going away: the lease must not wait out its TTL.
        if (_held || _attempting) ReleaseNow();
    }
}
