using Actors.Configuration;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>
/// <c>depends-on</c>: every start (the first, an operator's, an automatic restart) waits until each dependency
/// has reached its condition; meanwhile the process is <c>waiting</c> and its reason names the dependency and
/// where it stands. The node reports each change of its dependencies (<see cref="DependencyState"/>).
/// A process that already runs is not stopped when a dependency later fails or restarts (like docker-compose):
/// only its next start waits, so a dependent whose dependency is down waits instead of crash-looping.
/// A dependency that can never get there by itself (<see cref="NeverMet"/>: it failed for good, or it completed
/// while it is needed ready) fails the start instead: the process is <c>failed</c> with "dependency db failed", and
/// keeps its start pending, so that it follows the dependency once an operator (or a reload) starts that again:
/// back to <c>waiting</c>, then started when the condition is met. One that backs off, or that the operator stopped,
/// keeps it waiting. Dependencies are checked before the lease: a process never holds a lease while it could not
/// start anyway.
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
            GateStart = null,
            LeaseStart = null,
            FirstTryPending = false,
        };
        if (FailOnNeverMet(unmet)) return false;
        S = S with { WaitingHeadline = Headline(unmet) };
        Enter(ProcessState.Waiting, WaitingReason(unmet));
        return false;
    }

    private void OnDependencyState(DependencyState m)
    {
        S = S with { Dependencies = S.Dependencies.SetItem(m.Name, m) };
        if (S.DependencyStart is not { } start) return;
        bool failedOnDependency = S.State == ProcessState.Failed;
        if (S.State != ProcessState.Waiting && !failedOnDependency) return;
        var unmet = Unmet();
        if (unmet.Count > 0)
        {
            if (failedOnDependency)
            {
                // Still blocked for good: stays failed. Otherwise the dependency was started again: follow it.
                if (unmet.Any(d => NeverMet(d))) return;
                S = S with { WaitingHeadline = Headline(unmet) };
                Enter(ProcessState.Waiting, $"{WaitingReason(unmet)}; {m.Name} was started again");
                return;
            }
            if (!FailOnNeverMet(unmet)) UpdateWaiting(unmet);
            return;
        }
        S = S with { DependencyStart = null };
        var met = string.Join(", ", S.Settings.DependsOn.Select(d => $"{d.Name} {S.Dependencies[d.Name].State.ToDisplay()}"));
        StartRun($"{start.Reason}; dependencies met ({met})", start.Automatic);
    }

    /// <summary>
    /// When an unmet dependency can never get there by itself, the process fails with "dependency NAME failed" (its
    /// start stays pending, so it follows once the dependency is started again). False when every unmet one may still
    /// get there.
    /// </summary>
    private bool FailOnNeverMet(IReadOnlyList<Dependency> unmet)
    {
        if (unmet.FirstOrDefault(d => NeverMet(d)) is not { } blocked) return false;
        var seen = S.Dependencies[blocked.Name];
        var why = seen.State == ProcessState.Failed
            ? $"dependency {blocked.Name} failed ({seen.Reason})"
            : $"dependency {blocked.Name} completed and will not be {blocked.ConditionName} again ({seen.Reason})";
        S = S with { WaitingHeadline = null };
        Enter(ProcessState.Failed, $"{why}; it starts once {blocked.Name} is started again ('actors start {blocked.Name}')");
        return true;
    }

    /// <summary>
    /// The dependency can never reach the condition by itself: it failed for good (only exited accepts that), or it
    /// completed while it is needed running or ready. Backing off may still recover, and a stop is the operator's to
    /// undo: neither is never.
    /// </summary>
    private bool NeverMet(Dependency d) =>
        S.Dependencies.TryGetValue(d.Name, out var seen) && NeverMet(seen, d.Condition);

    internal static bool NeverMet(DependencyState seen, DependencyCondition condition) => seen.State switch
    {
        ProcessState.Failed => condition != DependencyCondition.Exited,
        ProcessState.Completed => condition == DependencyCondition.Ready,
        _ => false,
    };

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
        DependencyCondition.Exited => seen.State is ProcessState.Completed or ProcessState.Failed,
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
