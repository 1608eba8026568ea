using Actors.Configuration;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>
/// <c>depends-on</c>: every start (the first, an operator's, an automatic restart) waits until each dependency
/// has reached its condition; meanwhile the process is <c>waiting</c> and its reason names the dependency and
/// where it stands. The node reports each change of its dependencies (<see cref="DependencyState"/>).
/// A process that already runs is not stopped when a dependency later fails or restarts (like docker-compose):
/// only its next start waits, so a dependent whose dependency is down waits instead of crash-looping.
/// Dependencies are checked before the lease: a process never holds a lease while it could not start anyway.
/// </summary>
internal sealed partial class ProcessLifecycle
{
    /// <summary>
    /// True when every dependency has reached its condition. Otherwise the start is kept and the process waits;
    /// it runs once the last dependency gets there.
    /// </summary>
    private bool DependenciesMet(string reason, bool automatic)
    {
        var unmet = Unmet();
        if (unmet.Count == 0)
        {
            S = S with { DependencyStart = null };
            return true;
        }
        // Dependencies come before the lease: a start that waits for them no longer waits for the lease.
        S = S with
        {
            DependencyStart = new PendingStart(reason, automatic),
            LeaseStart = null,
            FirstTryPending = false,
            WaitingHeadline = Headline(unmet),
        };
        Enter(ProcessState.Waiting, WaitingReason(unmet));
        return false;
    }

    private void OnDependencyState(DependencyState m)
    {
        S = S with { Dependencies = S.Dependencies.SetItem(m.Name, m) };
        if (S.State != ProcessState.Waiting || S.DependencyStart is not { } start) return;
        var unmet = Unmet();
        if (unmet.Count > 0)
        {
            UpdateWaiting(unmet);
            return;
        }
        S = S with { DependencyStart = null };
        var met = string.Join(", ", S.Settings.DependsOn.Select(d => $"{d.Name} {S.Dependencies[d.Name].State.ToDisplay()}"));
        StartRun($"{start.Reason}; dependencies met ({met})", start.Automatic);
    }

    /// <summary>
    /// A new trail entry (and log line) when the process waits for something else: another dependency, or one
    /// that failed or was stopped. The in-between states of a dependency (starting, backing-off) only update the
    /// reason: a crash-looping dependency would otherwise write into every dependent's trail at each restart.
    /// </summary>
    private void UpdateWaiting(IReadOnlyList<Dependency> unmet)
    {
        var headline = Headline(unmet);
        if (headline != S.WaitingHeadline)
        {
            S = S with { WaitingHeadline = headline };
            Enter(ProcessState.Waiting, WaitingReason(unmet));
        }
        else
        {
            S = S with { Reason = WaitingReason(unmet) };
        }
    }

    /// <summary>The dependencies not yet where this process needs them, in declaration order.</summary>
    private List<Dependency> Unmet() =>
        S.Settings.DependsOn.Where(d => !S.Dependencies.TryGetValue(d.Name, out var seen) || !Satisfies(seen, d.Condition)).ToList();

    internal static bool Satisfies(DependencyState seen, DependencyCondition condition) => condition switch
    {
        DependencyCondition.Started => seen.State is ProcessState.Running or ProcessState.Ready or ProcessState.Completed,
        DependencyCondition.Ready => seen.State == ProcessState.Ready || (seen.State == ProcessState.Running && seen.RunningIsReady),
        _ => seen.State == ProcessState.Completed,
    };

    /// <summary>
    /// True when the dependency cannot get there by itself: failed, stopped, or finished (while it is needed
    /// running or ready). Only an operator's start (or a reload) moves it on.
    /// </summary>
    private static bool Blocked(DependencyState seen, DependencyCondition condition) =>
        seen.State is ProcessState.Failed or ProcessState.Stopped || (seen.State == ProcessState.Completed && condition != DependencyCondition.Completed);

    private string Headline(IReadOnlyList<Dependency> unmet)
    {
        var first = unmet[0];
        var seen = S.Dependencies.GetValueOrDefault(first.Name);
        var where = seen is not null && Blocked(seen, first.Condition) ? seen.State.ToDisplay() : "on its way";
        return $"{first.Name}:{where}:{unmet.Count}";
    }

    /// <summary>
    /// "waiting for db to be ready (db is starting: initial start)", or for a dependency that will not get there by
    /// itself "waiting for db to be ready: db failed (start limit hit: ...)".
    /// </summary>
    private string WaitingReason(IReadOnlyList<Dependency> unmet)
    {
        var first = unmet[0];
        var wanted = $"waiting for {first.Name} to be {first.ConditionName}";
        var text = S.Dependencies.GetValueOrDefault(first.Name) switch
        {
            null => $"{wanted} ({first.Name} is not started yet)",
            { State: ProcessState.Failed } seen => $"{wanted}: {first.Name} failed ({seen.Reason})",
            { State: ProcessState.Completed } seen when Blocked(seen, first.Condition) => $"{wanted}: {first.Name} completed ({seen.Reason})",
            var seen when Blocked(seen, first.Condition) => $"{wanted}: {first.Name} is {seen.State.ToDisplay()} ({seen.Reason})",
            var seen => $"{wanted} ({first.Name} is {seen.State.ToDisplay()}: {seen.Reason})",
        };
        return unmet.Count == 1 ? text : $"{text}; also waiting for {string.Join(", ", unmet.Skip(1).Select(d => d.Name))}";
    }
}
