using Akka.Event;
using Actors.Timeouts;
using static Actors.Supervision.LifecycleEvent;

namespace Actors.Supervision;

/// <summary>
/// Every decision about one supervised process, as a pure function: <see cref="Decide"/> takes the current
/// <see cref="LifecycleState"/>, one <see cref="LifecycleEvent"/> and the time, and returns the next state and the
/// <see cref="Effect"/>s to carry out. No actors, no I/O, no clock: the actor (<c>ProcessSupervisorActor</c>) turns
/// messages into events and carries out the effects; tests and simulations drive this type directly.
/// Where each decision is made:
/// <list type="bullet">
/// <item>starts, exits, exit classes, backoff, start limit, give-up: <c>ProcessLifecycle.Runs.cs</c>;</item>
/// <item>operator intent (start, stop and its sticky form, restart, new settings): <c>ProcessLifecycle.Commands.cs</c>;</item>
/// <item>deadlines (timeout.start, timeout.run, retry.budget): <c>ProcessLifecycle.Deadlines.cs</c>;</item>
/// <item>probe verdicts: <c>ProcessLifecycle.Probes.cs</c>; depends-on: <c>ProcessLifecycle.Dependencies.cs</c>;
/// lease gating: <c>ProcessLifecycle.Lease.cs</c>; a singleton's placement gate: <c>ProcessLifecycle.Gate.cs</c>.</item>
/// </list>
/// </summary>
/// <param name="random">The source of backoff jitter (seed it for a reproducible run).</param>
/// <param name="nodeId">Who this node is to leases: the holder shown when this node holds the lease.</param>
internal sealed partial class ProcessLifecycle(Random random, string nodeId)
{
    // The decision under way: the state so far, its effects so far, and its time. Set only inside Decide.
    private LifecycleState S = null!;
    // Made on the first effect: most events (a probe's check, a timer that found nothing to do) have none.
    private List<Effect>? _effects;
    private Moment _now;

    public (LifecycleState State, IReadOnlyList<Effect> Effects) Decide(LifecycleState state, LifecycleEvent e, Moment now)
    {
        S = state;
        _effects = null;
        _now = now;
        switch (e)
        {
            case Began: Begin(); break;
            case StartRequested m: OnStart(m.Reason); break;
            case StopRequested m: OnStop(m.Reason, m.Persist); break;
            case RestartRequested m: OnRestart(m.Reason); break;
            case SettingsChanged m: OnSettings(m.Settings); break;
            case BackoffElapsed: if (S.State == ProcessState.BackingOff) StartRun(RestartReason(), automatic: true); break;
            case LogOpened m: OnLogOpened(m.Failure); break;
            case RunStarted m: OnRunStarted(m.Pid); break;
            case RunEnded m: OnRunEnded(m); break;
            case DeadlinePassed m: OnDeadline(m); break;
            case ProbeChecked m: S = S with { ProbeDetail = S.ProbeDetail.SetItem(m.Role, m.Detail) }; break;
            case ProbePassed m: OnProbePassed(m.Role, m.Detail); break;
            case ProbeFailed m: OnProbeFailed(m.Role, m.Reason); break;
            case Notified m: OnNotified(m.Message); break;
            case LogLineMatched m: OnLogLineMatched(m.Line); break;
            case DependencyChanged m: OnDependencyState(m.Dependency); break;
            case DependenciesForgotten: S = S with { Dependencies = S.Dependencies.Clear() }; break;
            case LeaseAcquired m: OnLeaseAcquired(m.Name, m.Token); break;
            case LeaseLost m: OnLeaseLost(m.Reason); break;
            case LeaseObserved m: OnLeaseObserved(m.Status); break;
            case PlacementGateChanged m: OnGate(m.Open, m.Reason); break;
            default: throw new ArgumentOutOfRangeException(nameof(e), e, "not a lifecycle event");
        }
        var decided = (S, (IReadOnlyList<Effect>?)_effects ?? []);
        S = null!;
        _effects = null;
        return decided;
    }

    private string Name => S.Name;

    private void Do(Effect effect) => (_effects ??= []).Add(effect);

    private void Log(LogLevel level, string text) => Do(new Effect.Log(level, text));

    /// <summary>A state change: into the trail, to the parent, to the log; and what leaving the run behind means.</summary>
    private void Enter(ProcessState state, string reason)
    {
        S = S with { State = state, Reason = reason };
        // Done with running (not a stop on the way to a queued start): another node may have the lease now.
        if (state is ProcessState.Stopped or ProcessState.Failed or ProcessState.Completed && S.QueuedStart is null)
        {
            ReleaseLease();
            Do(new Effect.DisarmDeadline(Deadline.Budget));
        }
        var transition = new Transition(_now.Wall, state, reason);
        var trail = S.Trail.Add(transition);
        if (trail.Count > LifecycleState.TrailCapacity) trail = trail.RemoveRange(0, trail.Count - LifecycleState.TrailCapacity);
        S = S with { Trail = trail };
        Do(new Effect.Report(transition, S.LastExit));
        // Settled: running, or the launch failed, or it was stopped before it got anywhere.
        if (!S.StartUnderWay && state != ProcessState.Stopping) Do(new Effect.SettleStarts(S));
    }

    /// <summary>Records what must survive a node restart; the node saves it.</summary>
    private void SetIntent(SavedIntent intent)
    {
        if (intent == S.Intent) return;
        S = S with { Intent = intent };
        Do(new Effect.SaveIntent(intent));
    }

    internal static string Seconds(TimeSpan span) => span.TotalSeconds switch
    {
        0 => "0s",
        < 1 => $"{span.TotalMilliseconds:0.#}ms",
        < 120 => $"{span.TotalSeconds:0.##}s",
        _ => $"{span.TotalMinutes:0.#}m",
    };
}
