using Akka.Actor;
using Actors.Configuration;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>
/// <c>depends-on</c>: every start (the first, an operator's, an automatic restart) waits until each dependency
/// has reached its condition; meanwhile the process is <c>waiting</c> and its reason names the dependency and
/// where it stands. The node tells this supervisor each change of its dependencies (<see cref="DependencyState"/>).
/// A process that already runs is not stopped when a dependency later fails or restarts (like docker-compose):
/// only its next start waits, so a dependent whose dependency is down waits instead of crash-looping.
/// Dependencies are checked before the lease: a process never holds a lease while it could not start anyway.
/// </summary>
internal sealed partial class ProcessSupervisorActor
{
    // The latest state the node reported for each dependency; a dependency not here has not reported yet.
    private readonly Dictionary<string, DependencyState> _dependencies = new(StringComparer.Ordinal);
    // The start that waits for dependencies: its reason, and whether it is an automatic restart. Only meaningful
    // while the state is waiting (every start passes DependenciesMet, which sets or clears it).
    private (string Reason, bool Automatic)? _dependencyStart;
    // What the trail last said the process waits for; smaller changes only update the reason (see UpdateWaiting).
    private string? _waitingHeadline;

    /// <summary>Created by the node with the current state of its dependencies (see <see cref="ProcessSupervisor.Props"/>).</summary>
    public ProcessSupervisorActor(ProcessSettings settings, SupervisorOptions options, SavedIntent saved, IReadOnlyList<DependencyState> dependencies)
        : this(settings, options, saved)
    {
        foreach (var dependency in dependencies) _dependencies[dependency.Name] = dependency;
    }

    private void ReceiveDependencies() => Receive<DependencyState>(OnDependencyState);

    /// <summary>
    /// After a crash of this supervisor the states it was created with are old news: it forgets them (so its start
    /// waits) and asks the node for the current ones.
    /// </summary>
    protected override void PostRestart(Exception reason)
    {
        if (_settings.DependsOn.Count > 0)
        {
            _dependencies.Clear();
            Context.Parent.Tell(new NodeSupervisorActor.ResendDependencies(Name));
        }
        base.PostRestart(reason);
    }

    /// <summary>
    /// True when every dependency has reached its condition. Otherwise the start is kept and the process waits;
    /// it runs once the last dependency gets there.
    /// </summary>
    private bool DependenciesMet(string reason, bool automatic)
    {
        var unmet = Unmet();
        if (unmet.Count == 0)
        {
            _dependencyStart = null;
            return true;
        }
        _dependencyStart = (reason, automatic);
        // Dependencies come before the lease: a start that waits for them no longer waits for the lease.
        _waitingStart = null;
        _firstTryPending = false;
        _waitingHeadline = Headline(unmet);
        Enter(ProcessState.Waiting, WaitingReason(unmet));
        return false;
    }

    private void OnDependencyState(DependencyState m)
    {
        _dependencies[m.Name] = m;
        if (_state != ProcessState.Waiting || _dependencyStart is not { } start) return;
        var unmet = Unmet();
        if (unmet.Count > 0)
        {
            UpdateWaiting(unmet);
            return;
        }
        _dependencyStart = null;
        var met = string.Join(", ", _settings.DependsOn.Select(d => $"{d.Name} {_dependencies[d.Name].State.ToDisplay()}"));
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
        if (headline != _waitingHeadline)
        {
            _waitingHeadline = headline;
            Enter(ProcessState.Waiting, WaitingReason(unmet));
        }
        else
        {
            _reason = WaitingReason(unmet);
        }
    }

    /// <summary>The dependencies not yet where this process needs them, in declaration order.</summary>
    private List<Dependency> Unmet() =>
        _settings.DependsOn.Where(d => !_dependencies.TryGetValue(d.Name, out var seen) || !Satisfies(seen, d.Condition)).ToList();

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
        var seen = _dependencies.GetValueOrDefault(first.Name);
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
        var text = _dependencies.GetValueOrDefault(first.Name) switch
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
