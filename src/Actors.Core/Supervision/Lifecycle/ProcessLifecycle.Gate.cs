using Akka.Event;
using Actors.Configuration;

namespace Actors.Supervision;

/// <summary>
/// The placement gate of a <c>placement = singleton</c> process: the node opens it while it is an up member of the
/// formed cluster and closes it when it is not (not joined yet, too few members, leaving, downed, removed). Closed,
/// every start waits (<c>waiting for the cluster: ...</c>) and the lease is neither held nor tried for; closing it
/// SIGKILLs a run at once (the node no longer counts as a member, so another may take over) and gives the lease back
/// once the run is gone, never before: the next holder must not start while this copy still lives. The gate comes
/// before the lease and after the dependencies, so a node that is not a member never holds a singleton's lease.
/// Processes of any other placement have no gate (<see cref="LifecycleState.GateClosed"/> null, never set).
/// </summary>
internal sealed partial class ProcessLifecycle
{
    /// <summary>True when the gate lets a start go on to the lease; otherwise the start waits for the gate.</summary>
    private bool GateOpen(string reason, bool automatic)
    {
        if (S.GateClosed is not { } closed) return true;
        // Not a member: no lease, held or tried for (a start that waited for the lease now waits for the gate).
        if (S.HasLease && (S.LeaseHeld || S.LeaseStart is not null)) ReleaseLease();
        S = S with { GateStart = new PendingStart(reason, automatic) };
        Enter(ProcessState.Waiting, GateWaitingReason(closed));
        return false;
    }

    private static string GateWaitingReason(string closed) => $"waiting for the cluster: {closed}";

    private void OnGate(bool open, string reason)
    {
        if (S.Settings.Placement is not SingletonPlacement) return;
        if (open)
        {
            if (S.GateClosed is null) return;
            S = S with { GateClosed = null };
            Log(LogLevel.InfoLevel, $"{Name}: {reason}; it may run here once it holds lease {S.Settings.Lease?.Name}");
            if (S.State == ProcessState.Waiting && S.GateStart is { } start)
            {
                S = S with { GateStart = null };
                StartRun($"{start.Reason}; {reason}", start.Automatic);
            }
            return;
        }
        var wasClosed = S.GateClosed;
        S = S with { GateClosed = reason };
        switch (S.State)
        {
            case ProcessState.Starting or ProcessState.Running or ProcessState.Ready:
                // At once, not the graceful stop: this node no longer counts, another may be taking over. The queued
                // start then waits at the gate, which gives the lease back once the run is gone (GateOpen).
                var why = $"{reason}; a singleton runs only on an up member of the cluster";
                TakeOverStop();
                S = S with { QueuedStart = S.QueuedStart ?? why, StopReason = why };
                StopProbes();
                Enter(ProcessState.Stopping, $"{why}; SIGKILL to the group");
                Do(new Effect.StopGroup(why, KillNow: true));
                break;
            case ProcessState.Stopping:
                Log(LogLevel.WarningLevel, $"{Name}: {reason}; SIGKILL to the group");
                Do(new Effect.StopGroup(reason, KillNow: true));
                break;
            case ProcessState.Waiting when S.GateStart is not null:
                // Already at the gate: only the reason changes.
                if (wasClosed != reason) Enter(ProcessState.Waiting, GateWaitingReason(reason));
                break;
            case ProcessState.Waiting when S.LeaseStart is not null:
                // Trying for the lease: stop trying, wait at the gate.
                var pending = S.LeaseStart;
                ReleaseLease();
                S = S with { GateStart = pending };
                Enter(ProcessState.Waiting, GateWaitingReason(reason));
                break;
            default:
                // Backing off (between runs it keeps the lease: not any more), stopped, failed, waiting for dependencies.
                if (S.HasLease && S.LeaseHeld) ReleaseLease();
                break;
        }
    }
}
