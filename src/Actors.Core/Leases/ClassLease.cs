using System.Diagnostics;
using Akka.Actor;
using Akka.Coordination;
using Akka.Event;

namespace Actors.Leases;

/// <summary>
/// A lease of another implementation (<c>lease.class</c>: a Kubernetes or Azure lease, your own) as the supervisor
/// needs it. Akka's <see cref="Lease"/> says whether it is held (<see cref="Lease.CheckLease"/>) but neither when its
/// store last saw a renewal nor how long this node may count on it; so, every heartbeat-interval on the node's
/// scheduler, this wrapper asks the inner lease whether it still holds and:
/// <list type="bullet">
/// <item>tells the dead-man switch of the confirmation (<see cref="IDeadManLease.Renewed"/>), stamped one
/// heartbeat-interval early, because an implementation that renews every heartbeat-interval last reached its store at
/// most about that long before it says it holds (an inner <see cref="IDeadManLease"/> reports its own, exact, stamps);</item>
/// <item>counts the holding lost, and gives the inner lease back, when the inner lease no longer holds or when no
/// confirmation came for <see cref="Validity"/> (the node was frozen or its scheduler stalled): as the file lease
/// does, a node that thaws must not trust a holding it had before.</item>
/// </list>
/// The fencing token and the holder come from the inner lease when it is an <see cref="IFencedLease"/>; otherwise the
/// token is 0, which means none (the process gets no ACTORS_LEASE_TOKEN).
/// </summary>
public sealed class ClassLease : Lease, IFencedLease, IDeadManLease, IExplainedLease
{
    private readonly Lease _inner;
    private readonly IScheduler _scheduler;
    private readonly LeaseClock _clock;
    private readonly ILoggingAdapter _log;
    private readonly TimeSpan _interval;
    private readonly object _gate = new();
    private bool _held;
    // Numbers the holdings: a loss reported by the inner lease for an earlier one is ignored.
    private int _holding;
    private TimeSpan _lastConfirmed;
    private long _goodUntil = long.MinValue;
    private Action<Exception?>? _lost;
    private ICancelable? _confirms;
    private Action<long>? _renewed;
    // Why the last holding was lost; cleared by a new holding or a release.
    private string? _lossReason;
    // The give-back of the last lost holding. A new holding is not asked for before it is done: done after, it would
    // give back the new one in the store while this node counts it held (another node could then take it).
    private Task _givingBack = Task.CompletedTask;

    public ClassLease(Lease inner, TimeSpan validity, IScheduler scheduler, LeaseClock clock, ILoggingAdapter log) : base(inner.Settings)
    {
        _inner = inner;
        _scheduler = scheduler;
        _clock = clock;
        _log = log;
        _interval = inner.Settings.TimeoutSettings.HeartbeatInterval;
        if (validity <= _interval)
            throw new ArgumentException($"lease {inner.Settings.LeaseName}: the validity ({validity}) must be longer than heartbeat-interval ({_interval})");
        Validity = validity;
    }

    /// <summary>The implementation it wraps.</summary>
    public Lease Inner => _inner;

    /// <summary>How long after its last confirmation this node counts the holding good.</summary>
    public TimeSpan Validity { get; }

    public Action<long>? Renewed
    {
        get => _inner is IDeadManLease own ? own.Renewed : _renewed;
        set
        {
            if (_inner is IDeadManLease own) own.Renewed = value;
            else _renewed = value;
        }
    }


    /// <summary>
    /// The inner lease's holdings when it can be freed from outside the node (a file lease); a lease of unknown storage
    /// cannot be, so it reports none and a dead holder's lease ends with its TTL.
    /// </summary>
    public Action<Actors.Processes.LeaseHolding>? Held
    {
        get => (_inner as IDeadManLease)?.Held;
        set
        {
            if (_inner is IDeadManLease own) own.Held = value;
        }
    }
    /// <summary>The inner lease's token, or 0 (none) when it gives none.</summary>
    public long Token => _inner is IFencedLease fenced ? fenced.Token : 0;

    public bool InspectMayBlock => _inner is IFencedLease fenced && fenced.InspectMayBlock;

    public LeaseStatus Inspect()
    {
        if (_inner is IFencedLease fenced) return fenced.Inspect();
        var held = CheckLease();
        return new LeaseStatus(Settings.LeaseName, held, held ? Settings.OwnerName : null, 0, null);
    }

    public override bool CheckLease() => _clock.Elapsed.Ticks <= Volatile.Read(ref _goodUntil) && _inner.CheckLease();

    public string? WhyNotHeld
    {
        get
        {
            lock (_gate) return Why();
        }
    }

    /// <summary>Called under the gate.</summary>
    private string? Why()
    {
        // Lost already (a confirmation found it so before the node asked): why it was.
        if (!_held) return _lossReason;
        var silent = _clock.Elapsed - _lastConfirmed;
        if (silent > Validity) return Silence(silent);
        return _inner.CheckLease() ? null : InnerGone;
    }

    private const string InnerGone = "the lease implementation no longer holds it";

    public override Task<bool> Acquire() => Acquire(null);

    public override async Task<bool> Acquire(Action<Exception?>? leaseLostCallback)
    {
        int holding;
        bool stale;
        Task givingBack;
        lock (_gate)
        {
            // Asked again while it still counts a holding: the node found the holding no longer good (CheckLease said
            // so before a decision). It is given back first, so that what follows is a new holding, not the old one.
            stale = _held;
            if (stale) Lose(Why() ?? "given back to be taken anew", giveBack: false);
            holding = ++_holding;
            givingBack = _givingBack;
        }
        await givingBack.ConfigureAwait(false);
        if (stale)
        {
            try
            {
                await _inner.Release().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _log.Warning("lease {0}: giving it back failed: {1}", Settings.LeaseName, e.GetBaseException().Message);
            }
        }
        // Stamped before the store is asked: the holding cannot have started earlier than this.
        var stamped = _clock.Elapsed;
        var stampedAt = Stopwatch.GetTimestamp();
        var acquired = await _inner.Acquire(e => OnInnerLost(holding, e?.Message ?? "lost")).ConfigureAwait(false);
        lock (_gate)
        {
            // Released while the store answered: this answer belongs to nobody, and what it took is given back.
            if (holding != _holding)
            {
                if (acquired) _ = _inner.Release();
                return false;
            }
            if (!acquired) return false;
            _held = true;
            _lossReason = null;
            _lost = leaseLostCallback;
            Confirmed(stamped, stampedAt);
            if (_confirms is null)
            {
                _confirms = new Cancelable(_scheduler);
                _scheduler.Advanced.ScheduleRepeatedly(_interval, _interval, Confirm, _confirms);
            }
            return true;
        }
    }

    public override Task<bool> Release()
    {
        lock (_gate)
        {
            _holding++;
            _held = false;
            _lossReason = null;
            _lost = null;
            Volatile.Write(ref _goodUntil, long.MinValue);
            StopConfirms();
        }
        return _inner.Release();
    }

    /// <summary>One confirmation, on the scheduler's thread: CheckLease of a lease answers from memory.</summary>
    private void Confirm()
    {
        lock (_gate)
        {
            if (!_held) return;
            var silent = _clock.Elapsed - _lastConfirmed;
            if (silent > Validity)
            {
                Lose(Silence(silent), giveBack: true);
                return;
            }
            if (!_inner.CheckLease())
            {
                Lose(InnerGone, giveBack: true);
                return;
            }
            Confirmed(_clock.Elapsed - _interval, Stopwatch.GetTimestamp() - (long)(_interval.TotalSeconds * Stopwatch.Frequency));
        }
    }

    /// <summary>Called under the gate.</summary>
    private void Confirmed(TimeSpan stamped, long stampedAt)
    {
        _lastConfirmed = stamped;
        Volatile.Write(ref _goodUntil, (stamped + Validity).Ticks);
        if (_inner is not IDeadManLease) _renewed?.Invoke(stampedAt);
    }

    private void OnInnerLost(int holding, string reason)
    {
        lock (_gate)
        {
            if (holding != _holding || !_held) return;
            Lose(reason, giveBack: false);
        }
    }

    private string Silence(TimeSpan silent) =>
        $"not confirmed for {silent.TotalSeconds:0.###}s, longer than the {Validity.TotalSeconds:0.###}s this node may count on it (stalled or frozen)";

    /// <summary>Called under the gate. The callback and the give-back run on the pool, never under the gate.</summary>
    private void Lose(string reason, bool giveBack)
    {
        _held = false;
        _lossReason = reason;
        _holding++;
        Volatile.Write(ref _goodUntil, long.MinValue);
        StopConfirms();
        _log.Warning("lease {0} lost by {1}: {2}", Settings.LeaseName, Settings.OwnerName, reason);
        var callback = _lost;
        _lost = null;
        // Given back so that the next holding is a new one, not the old one carried on.
        var givenBack = giveBack ? Task.Run(GiveBack) : Task.CompletedTask;
        if (giveBack) _givingBack = givenBack;
        _ = givenBack.ContinueWith(_ => callback?.Invoke(new LeaseException(reason)), TaskScheduler.Default);
    }

    /// <summary>Never throws: a failed give-back is logged, and the store's own expiry ends the holding.</summary>
    private async Task GiveBack()
    {
        try
        {
            await _inner.Release().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _log.Warning("lease {0}: giving it back failed: {1}", Settings.LeaseName, e.GetBaseException().Message);
        }
    }

    private void StopConfirms()
    {
        _confirms?.Cancel();
        _confirms = null;
    }
}
