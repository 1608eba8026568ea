using Actors.Configuration;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>
/// What the node knows of where each declared process stands, as its dependents see it (<c>depends-on</c>): the
/// latest state each one reported, and which names anyone depends on. Plain bookkeeping, no actor: the root
/// supervisor feeds it reports and asks it what to tell whom (<c>NodeSupervisorActor.Dependencies.cs</c>).
/// </summary>
internal sealed class DependencyBook
{
    // The latest state each declared process reported; one not here has not reported yet (not started yet).
    private readonly Dictionary<string, ProcessStateChanged> _reported = new(StringComparer.Ordinal);
    // The settings of the declared processes by name: a replica's group, whether a dependency has a readiness probe.
    private Dictionary<string, ProcessSettings> _declared = new(StringComparer.Ordinal);
    // The names someone depends on: the state changes of all others need not be routed (most processes, usually).
    private HashSet<string> _dependedOn = new(StringComparer.Ordinal);

    /// <summary>The declaration in force (at boot, and at the start of each reload); reports of processes no longer declared are dropped.</summary>
    public void Declare(IReadOnlyList<ProcessSettings> processes)
    {
        var declared = new Dictionary<string, ProcessSettings>(StringComparer.Ordinal);
        foreach (var process in processes) declared.TryAdd(process.Name, process);
        foreach (var gone in _reported.Keys.Where(n => !declared.ContainsKey(n)).ToList()) _reported.Remove(gone);
        _declared = declared;
        _dependedOn = processes.SelectMany(p => p.DependsOn.Select(d => d.Name)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Records a process's new state; returns the declared name (its group for a replica) whose dependents may need telling.</summary>
    public string Report(ProcessStateChanged change)
    {
        _reported[change.Name] = change;
        return _declared.GetValueOrDefault(change.Name)?.Group ?? change.Name;
    }

    /// <summary>What the dependents of <paramref name="group"/> should be told now: null when nobody depends on it or it has not reported yet.</summary>
    public DependencyState? NewsFor(string group) => _dependedOn.Contains(group) ? StateOf(group) : null;

    /// <summary>
    /// Where a declared process stands, as its dependents see it; null before its first report. With replicas,
    /// the copy furthest from being there speaks for all (a failed one before a starting one before a running one),
    /// so <c>web = ready</c> is met only once every replica is ready, and null until each has reported.
    /// </summary>
    public DependencyState? StateOf(string name)
    {
        var members = _declared.Values.Where(p => p.Group == name).ToList();
        if (members.Count == 0 && _declared.TryGetValue(name, out var single)) members = [single];
        if (members.Count == 1 && members[0].Name == name)
            return _reported.TryGetValue(name, out var seen)
                ? new DependencyState(name, seen.State, seen.Reason) { RunningIsReady = !members[0].HasReadinessCheck }
                : null;
        if (members.Count == 0 || members.Any(p => !_reported.ContainsKey(p.Name))) return null;
        var furthest = members.MinBy(p => Progress(_reported[p.Name].State))!;
        var report = _reported[furthest.Name];
        return new DependencyState(name, report.State, $"replica {furthest.Name}: {report.Reason}") { RunningIsReady = !furthest.HasReadinessCheck };
    }

    /// <summary>The known states of the dependencies of <paramref name="settings"/>: what a new or changed supervisor starts from.</summary>
    public List<DependencyState> StatesFor(ProcessSettings settings) =>
        settings.DependsOn.Select(d => StateOf(d.Name)).OfType<DependencyState>().ToList();

    /// <summary>Whether the process last reported a run that is alive (being started, running or stopping).</summary>
    public bool HasRun(string name) =>
        _reported.TryGetValue(name, out var seen)
        && seen.State is ProcessState.Starting or ProcessState.Running or ProcessState.Ready or ProcessState.Stopping;

    /// <summary>How far along a process is toward running (and completing): the order in which replicas are weighed.</summary>
    private static int Progress(ProcessState state) => state switch
    {
        ProcessState.Failed => 0,
        ProcessState.Stopped => 1,
        ProcessState.Stopping => 2,
        ProcessState.BackingOff => 3,
        ProcessState.Waiting => 4,
        ProcessState.Starting => 5,
        ProcessState.Running => 6,
        ProcessState.Ready => 7,
        _ => 8,
    };
}
