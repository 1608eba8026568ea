using Akka.Actor;
using Akka.Event;
using Actors.Configuration;
using Actors.Leases;
using Actors.Processes;

namespace Actors.Supervision;

/// <summary>
/// The lease of a process that declares one: it runs only while its <see cref="LeaseKeeper"/> (child
/// <c>lease</c>) holds the lease. Without it the process is <c>waiting</c>; a lost lease kills the group at
/// once and waits again; the lease is given back once the process is stopped, failed or completed (kept across
/// restarts and backoff, so a crash does not hand the process to another node).
/// </summary>
internal sealed partial class ProcessSupervisorActor
{
    private IActorRef? _leaseKeeper;
    private int _leaseKeepers;
    private bool _leaseHeld;
    private long _leaseToken;
    private LeaseStatus? _leaseSeen;
    private TimeSpan _leaseSeenAt; // monotonic: it ages the heartbeat age shown
    // The start that waits for the lease: its reason, and whether it is an automatic restart.
    private (string Reason, bool Automatic)? _waitingStart;
    // Until the first try for the lease is answered, a start is still under way: a free lease starts the process
    // at once, and only a lease held elsewhere settles the start as "waiting".
    private bool _firstTryPending;

    private void ReceiveLease()
    {
        Receive<LeaseKeeper.LeaseAcquired>(OnLeaseAcquired);
        Receive<LeaseKeeper.LeaseLost>(OnLeaseLost);
        Receive<LeaseKeeper.LeaseObserved>(m =>
        {
            if (!Sender.Equals(_leaseKeeper)) return;
            _leaseSeen = m.Status;
            _leaseSeenAt = Elapsed;
            // Waiting for dependencies, not for the lease: the reason is theirs.
            if (_state != ProcessState.Waiting || _waitingStart is null) return;
            var settling = _firstTryPending;
            _firstTryPending = false;
            // Say who holds it, once per change of holder (each heartbeat of theirs would flood the trail).
            if (WaitingReason() is var reason && (reason != _reason || settling)) Enter(ProcessState.Waiting, reason);
        });
    }

    private void CreateLeaseKeeper()
    {
        _leaseKeeper = null;
        _leaseHeld = false;
        _leaseSeen = null;
        if (_settings.Lease is not { } lease) return;
        var instance = _options.LeaseFactory(_settings, Context.System, _options.NodeId);
        // A reload that changes the lease replaces the keeper; the old one may not have stopped yet, so the new
        // one gets a new name.
        _leaseKeepers++;
        _leaseKeeper = Context.ActorOf(LeaseKeeper.Props(instance, lease.HeartbeatInterval), _leaseKeepers == 1 ? "lease" : $"lease-{_leaseKeepers}");
    }

    /// <summary>New lease settings from a reload: the old keeper stops (and releases its lease), a new one takes over.</summary>
    private void ReplaceLeaseKeeper(ProcessSettings old)
    {
        if (old.Lease == _settings.Lease) return;
        if (_leaseKeeper is not null) Context.Stop(_leaseKeeper);
        CreateLeaseKeeper();
    }

    /// <summary>True when a run may start now; otherwise the start waits for the lease.</summary>
    private bool MayStart(string reason, bool automatic)
    {
        if (_leaseKeeper is null || _leaseHeld) return true;
        _waitingStart = (reason, automatic);
        _firstTryPending = true;
        _leaseKeeper.Tell(LeaseKeeper.Acquire.Instance);
        Enter(ProcessState.Waiting, WaitingReason());
        return false;
    }

    private string WaitingReason()
    {
        var name = _settings.Lease!.Name;
        return _leaseSeen is { Held: false, Holder: { } holder } seen
            ? $"waiting for lease {name} held by {holder} (token {seen.Token})"
            : $"waiting for lease {name}";
    }

    /// <summary>The run's own environment: which lease it runs under and its fencing token.</summary>
    private LaunchSpec SpecForRun() => _leaseKeeper is null || !_leaseHeld
        ? _spec
        : LaunchSpecs.WithEnvironment(_spec, new Dictionary<string, string>
        {
            ["ACTORS_LEASE_NAME"] = _settings.Lease!.Name,
            ["ACTORS_LEASE_TOKEN"] = _leaseToken.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    private void OnLeaseAcquired(LeaseKeeper.LeaseAcquired m)
    {
        if (!Sender.Equals(_leaseKeeper)) return;
        _leaseHeld = true;
        _leaseToken = m.Token;
        _leaseSeen = new LeaseStatus(m.Name, true, _options.NodeId, m.Token, TimeSpan.Zero);
        _leaseSeenAt = Elapsed;
        if (_state == ProcessState.Waiting && _waitingStart is { } start)
        {
            _waitingStart = null;
            _firstTryPending = false;
            StartRun($"{start.Reason}; lease {m.Name} acquired (token {m.Token})", start.Automatic);
        }
        else if (_state is ProcessState.Stopped or ProcessState.Failed or ProcessState.Completed)
            ReleaseLease();
    }

    private void OnLeaseLost(LeaseKeeper.LeaseLost m)
    {
        if (!Sender.Equals(_leaseKeeper)) return;
        _leaseHeld = false;
        if (_leaseSeen is not null) _leaseSeen = _leaseSeen with { Held = false };
        var reason = $"lease lost: {m.Reason}";
        switch (_state)
        {
            case ProcessState.Starting or ProcessState.Running or ProcessState.Ready:
                // SIGKILL at once, not the graceful stop: the next holder may already be starting its copy. The
                // queued start then waits for the lease again.
                _queuedStart ??= reason;
                _stopReason = reason;
                Enter(ProcessState.Stopping, $"{reason}; SIGKILL to the group");
                _runner!.Tell(new ProcessRunner.Stop(reason, KillNow: true));
                break;
            case ProcessState.Stopping:
                // A graceful stop under way no longer has the time it was given.
                Log(LogLevel.WarningLevel, $"{Name}: {reason}; SIGKILL to the group");
                _runner?.Tell(new ProcessRunner.Stop(reason, KillNow: true));
                break;
            default:
                // Not running (backing off, waiting, stopped): the next start waits for the lease.
                Log(LogLevel.WarningLevel, $"{Name}: {reason}");
                break;
        }
    }

    /// <summary>Gives the lease back (or stops trying to get it); called when the process no longer wants to run.</summary>
    private void ReleaseLease()
    {
        _waitingStart = null;
        _firstTryPending = false;
        if (_leaseKeeper is null) return;
        _leaseKeeper.Tell(LeaseKeeper.Release.Instance);
        _leaseHeld = false;
        if (_leaseSeen is not null) _leaseSeen = _leaseSeen with { Held = false };
    }

    private LeaseStatus? LeaseView()
    {
        if (_settings.Lease is not { } lease) return null;
        var seen = _leaseSeen ?? new LeaseStatus(lease.Name, false, null, 0, null);
        return seen with { Held = _leaseHeld, HeartbeatAge = seen.HeartbeatAge + (Elapsed - _leaseSeenAt) };
    }
}
