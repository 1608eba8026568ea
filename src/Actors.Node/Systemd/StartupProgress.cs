using Actors.Configuration;
using Actors.Supervision;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Node.Systemd;

/// <summary>
/// When the node tells systemd READY=1, and the STATUS= line it shows: pure functions of the processes' status, so
/// the moment is decided in one place and tested alone.
/// </summary>
internal static class StartupProgress
{
    /// <summary>
    /// True once every process reached its start state: ready; running when it has no readiness check; completed;
    /// or settled where nothing moves it on by itself (failed, stopped by the operator, waiting for a lease another
    /// node holds, or waiting for a dependency that itself will not get there). Starting, backing-off and stopping
    /// are on their way, and so is a process waiting for dependencies that are still coming: the moment they are
    /// met it starts, and READY=1 must not come before that.
    /// </summary>
    public static bool AllSettled(IReadOnlyList<ProcessStatus> processes, IReadOnlyList<ProcessSettings> declared)
    {
        var byName = processes.ToDictionary(p => p.Name);
        var dependencies = declared.ToDictionary(p => p.Name, p => p.DependsOn);
        // A dependency names a declared process: with replicas, each copy of it.
        var groups = declared.GroupBy(p => p.Group).ToDictionary(g => g.Key, g => g.Select(p => p.Name).ToList());
        var memo = new Dictionary<string, bool>();
        return processes.All(p => Settled(p, byName, dependencies, groups, memo));
    }

    private static bool Settled(ProcessStatus p, Dictionary<string, ProcessStatus> all,
        Dictionary<string, IReadOnlyList<Dependency>> dependencies, Dictionary<string, List<string>> groups, Dictionary<string, bool> memo)
    {
        if (memo.TryGetValue(p.Name, out var known)) return known;
        memo[p.Name] = false; // the graph is acyclic (check-config), this only guards the recursion
        var settled = p.State switch
        {
            ProcessState.Ready or ProcessState.Completed or ProcessState.Failed or ProcessState.Stopped => true,
            ProcessState.Running => !HasReadinessCheck(p),
            ProcessState.Waiting => WaitsOnPurpose(p, all, dependencies, groups, memo),
            _ => false,
        };
        memo[p.Name] = settled;
        return settled;
    }

    /// <summary>
    /// A waiting process has settled when one of its unmet dependencies will not get there by itself (or is itself
    /// settled waiting), or when every dependency is met and it waits for its lease.
    /// </summary>
    private static bool WaitsOnPurpose(ProcessStatus p, Dictionary<string, ProcessStatus> all,
        Dictionary<string, IReadOnlyList<Dependency>> dependencies, Dictionary<string, List<string>> groups, Dictionary<string, bool> memo)
    {
        var unmet = dependencies.GetValueOrDefault(p.Name, [])
            .SelectMany(d => (groups.GetValueOrDefault(d.Name) ?? [d.Name])
                .Where(n => all.TryGetValue(n, out var dep) && !ProcessLifecycle.Satisfies(AsDependency(dep), d.Condition))
                .Select(n => all[n]))
            .ToList();
        if (unmet.Count == 0) return p.Lease is not null;
        return unmet.Any(dep => dep.State is ProcessState.Failed or ProcessState.Stopped or ProcessState.Completed
                                || (dep.State == ProcessState.Waiting && Settled(dep, all, dependencies, groups, memo)));
    }

    private static DependencyState AsDependency(ProcessStatus s) =>
        new(s.Name, s.State, s.Reason) { RunningIsReady = !HasReadinessCheck(s) };

    private static bool HasReadinessCheck(ProcessStatus s) => s.Probes.Any(p => p.Role == ProbeRole.Readiness);

    /// <summary>"4 processes: 2 running, 1 ready, 1 backing-off" — counts in the order of the states.</summary>
    public static string StatusLine(IReadOnlyList<ProcessStatus> processes)
    {
        var counts = processes.GroupBy(p => p.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToDisplay()}");
        var noun = processes.Count == 1 ? "process" : "processes";
        return processes.Count == 0 ? "no processes" : $"{processes.Count} {noun}: {string.Join(", ", counts)}";
    }
}
