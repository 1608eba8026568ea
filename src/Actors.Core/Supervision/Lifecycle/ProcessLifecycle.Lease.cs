using Akka.Event;
using Actors.Leases;

namespace Actors.Supervision;

/// <summary>
/// Lease gating, for a process that declares a lease: it runs only while its lease keeper holds the lease.
/// Without it the process is <c>waiting</c>; a lost lease kills the group at once and waits again; the lease is
/// given back once the process is stopped, failed or completed (kept across restarts and backoff, so a crash does
/// not hand the process to another node).
/// </summary>
internal sealed partial class ProcessLifecycle
{
    /// <summary>True when a run may start now; otherwise the start waits for the lease.</summary>
    private bool MayStart(string reason, bool automatic)
    {
        if (!S.HasLease || S.LeaseHeld) return true;
        // Until the first try is answered the start is still under way: a free lease starts the process at once,
        // and only a lease held elsewhere settles the start as "waiting".
        S = S with { LeaseStart = new PendingStart(reason, automatic), FirstTryPending = true };
        Do(new Effect.AcquireLease());
        Enter(ProcessState.Waiting, LeaseWaitingReason());
        return false;
    }

    private string LeaseWaitingReason()
    {
        var name = S.Settings.Lease!.Name;
        return S.LeaseSeen is { Held: false, Holder: { } holder } seen
            ? $"waiting for lease {name} held by {holder} (token {seen.Token})"
            : $"waiting for lease {name}";
    }

    private void OnLeaseObserved(LeaseStatus status)
    {
        S = S with { LeaseSeen = status, LeaseSeenAt = _now.Monotonic };
        // Waiting for dependencies, not for the lease: the reason is theirs.
        if (S.State != ProcessState.Waiting || S.LeaseStart is null) return;
        var settling = S.FirstTryPending;
        S = S with { FirstTryPending = false };
        // Say who holds it, once per change of holder (each heartbeat of theirs would flood the trail).
        if (LeaseWaitingReason() is var reason && (reason != S.Reason || settling)) Enter(ProcessState.Waiting, reason);
    }

    private void OnLeaseAcquired(string name, long token)
    {
        S = S with
        {
            LeaseHeld = true,
            LeaseToken = token,
            LeaseSeen = new LeaseStatus(name, true, nodeId, token, TimeSpan.Zero),
            LeaseSeenAt = _now.Monotonic,
        };
        // Taken in the instant the gate closed (the keeper had been told to stop trying): not ours to keep.
        if (S.GateClosed is not null)
        {
            ReleaseLease();
            return;
        }
        if (S.State == ProcessState.Waiting && S.LeaseStart is { } start)
        {
            S = S with { LeaseStart = null, FirstTryPending = false };
            // Token 0: a lease.class implementation that hands out no fencing tokens.
            StartRun($"{start.Reason}; lease {name} acquired ({(token > 0 ? $"token {token}" : "no fencing token")})", start.Automatic);
        }
        else if (S.State is ProcessState.Stopped or ProcessState.Failed or ProcessState.Completed)
            ReleaseLease();
    }

    private void OnLeaseLost(string lostBecause)
    {
        EndOwnHolding();
        var reason = $"lease lost: {lostBecause}";
        switch (S.State)
        {
            case ProcessState.Starting or ProcessState.Running or ProcessState.Ready:
                // SIGKILL at once, not the graceful stop: the next holder may already be starting its copy. The
                // queued start then waits for the lease again.
                S = S with { QueuedStart = S.QueuedStart ?? reason, StopReason = reason };
                Enter(ProcessState.Stopping, $"{reason}; SIGKILL to the group");
                Do(new Effect.StopGroup(reason, KillNow: true));
                break;
            case ProcessState.Stopping:
                // A graceful stop under way no longer has the time it was given.
                Log(LogLevel.WarningLevel, $"{Name}: {reason}; SIGKILL to the group");
                Do(new Effect.StopGroup(reason, KillNow: true));
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
        S = S with { LeaseStart = null, FirstTryPending = false };
        if (!S.HasLease) return;
        Do(new Effect.ReleaseLease());
        EndOwnHolding();
    }

    /// <summary>
    /// Our holding is over (lost or given back). A last record seen that names this node is dropped: who holds the
    /// lease now is unknown until the keeper looks again, and a waiting reason must not name this node as the holder.
    /// </summary>
    private void EndOwnHolding() =>
        S = S with { LeaseHeld = false, LeaseSeen = S.LeaseSeen is { } seen && seen.Holder != nodeId ? seen with { Held = false } : null };

    /// <summary>The lease in a status, its heartbeat age aged to <paramref name="now"/> (monotonic).</summary>
    internal static LeaseStatus? LeaseView(LifecycleState s, TimeSpan now)
    {
        if (s.Settings.Lease is not { } lease) return null;
        var seen = s.LeaseSeen ?? new LeaseStatus(lease.Name, false, null, 0, null);
        return seen with { Held = s.LeaseHeld, HeartbeatAge = seen.HeartbeatAge + (now - s.LeaseSeenAt) };
    }
}
