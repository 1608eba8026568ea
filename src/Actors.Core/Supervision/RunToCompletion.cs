using Actors.Configuration;
using Actors.Processes;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>The node ends its run by itself: the code it exits with, and why (for its log).</summary>
public sealed record NodeExit(int Code, string Reason);

/// <summary>
/// When a node that runs to completion ends by itself, and with which exit code, as a pure function of what is
/// declared and where each process stands (<see cref="Decide"/>). Three rules, first match wins:
/// <list type="number">
/// <item><c>availability.exit-on-failure = on</c>: a process with it has failed for good → its exit code.</item>
/// <item><c>actors run --exit-code-from NAME</c>: NAME reached a final state (completed or failed) → its exit code.
/// A service that exits and is restarted has not ended; an operator's <c>stop</c> does not end it either (that is
/// what <c>actors shutdown</c> is for).</item>
/// <item><c>actors run --until-done</c>: every process is done (<see cref="IsDone"/>) → 0, or 1 if any failed.</item>
/// </list>
/// The caller stops every process the usual way (dependency waves) and then exits with the code.
/// </summary>
/// <param name="exitCodeFrom">The process named by <c>--exit-code-from</c>, or null.</param>
/// <param name="untilDone"><c>--until-done</c>.</param>
public sealed class RunToCompletion(string? exitCodeFrom, bool untilDone)
{
    public string? ExitCodeFrom { get; } = exitCodeFrom;
    public bool UntilDone { get; } = untilDone;

    /// <summary>Whether a run may end by itself at all with these options and this declaration.</summary>
    public bool CanEnd(IReadOnlyList<ProcessSettings> declared) =>
        ExitCodeFrom is not null || UntilDone || declared.Any(p => p.ExitOnFailure);

    /// <summary>
    /// Whether a change into <paramref name="state"/> of <paramref name="name"/> can make <see cref="Decide"/> answer,
    /// so that a caller asks for the statuses only then (a crash loop elsewhere costs nothing).
    /// </summary>
    public bool MayEndOn(string name, ProcessState state, IReadOnlyList<ProcessSettings> declared) => state switch
    {
        ProcessState.Failed => true, // exit-on-failure, --exit-code-from NAME, and --until-done all may end on it
        ProcessState.Completed => UntilDone || name == ExitCodeFrom,
        ProcessState.Stopped or ProcessState.Waiting => UntilDone,
        _ => false,
    };

    /// <summary>The exit, or null while the run goes on.</summary>
    /// <param name="declared">The processes as declared now (after the last reload).</param>
    /// <param name="statuses">Where each stands now (a snapshot of every declared process).</param>
    public NodeExit? Decide(IReadOnlyList<ProcessSettings> declared, IReadOnlyList<ProcessStatus> statuses)
    {
        var byName = statuses.ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var process in declared.Where(p => p.ExitOnFailure))
        {
            if (byName.TryGetValue(process.Name, out var s) && s.State == ProcessState.Failed)
            {
                var code = ExitCodeOf(s.State, s.LastExit);
                return new NodeExit(code, $"{s.Name} failed for good ({s.Reason}) and has availability.exit-on-failure = on; " +
                                          $"exit code {code}{Explain(s.State, s.LastExit)}");
            }
        }
        if (ExitCodeFrom is { } name && byName.TryGetValue(name, out var from) && from.State is ProcessState.Completed or ProcessState.Failed)
        {
            var code = ExitCodeOf(from.State, from.LastExit);
            return new NodeExit(code, $"{name} {from.State.ToDisplay()} ({from.Reason}); --exit-code-from {name}: exit code {code}{Explain(from.State, from.LastExit)}");
        }
        if (UntilDone && IsDone(declared, statuses))
        {
            var failed = statuses.Where(s => s.State == ProcessState.Failed).Select(s => s.Name).ToList();
            var completed = statuses.Count(s => s.State == ProcessState.Completed);
            var others = statuses.Count - failed.Count - completed;
            var counts = $"{completed} completed, {failed.Count} failed{(failed.Count > 0 ? $" ({string.Join(", ", failed)})" : "")}" +
                         (others > 0 ? $", {others} stopped or waiting for a stopped dependency" : "");
            return new NodeExit(failed.Count > 0 ? 1 : 0, $"--until-done: every process is done ({counts}); exit code {(failed.Count > 0 ? 1 : 0)}");
        }
        return null;
    }

    /// <summary>
    /// The exit code a process ended with, as a shell reports it: its code; 128 + the signal that killed it. A failed
    /// process never gives 0 (a service restarted after clean exits until its start limit): then, and when it has no
    /// exit at all (it never ran: its launch failed, or a dependency did), 1.
    /// </summary>
    public static int ExitCodeOf(ProcessState state, ExitStatus? exit)
    {
        var code = exit switch
        {
            { Code: { } c } => c,
            { Signal: { } signal } => 128 + signal,
            _ => state == ProcessState.Failed ? 1 : 0,
        };
        return state == ProcessState.Failed && code == 0 ? 1 : code;
    }

    private static string Explain(ProcessState state, ExitStatus? exit) => exit switch
    {
        { Signal: { } signal } => $" (128 + {SignalNames.Describe(signal)})",
        null when state == ProcessState.Failed => " (it has no exit code of its own)",
        { Code: 0 } when state == ProcessState.Failed => " (its last exit was 0, but it failed)",
        _ => "",
    };

    /// <summary>
    /// Every process is done: completed or failed; stopped (by an operator, or never started); or waiting for a
    /// dependency that is stopped (or itself waits so): only an operator moves those on. Anything starting, running,
    /// backing off, stopping, waiting for a lease or for a dependency still on its way is not done. A process that has
    /// not reported yet (an empty trail) is not done either.
    /// </summary>
    public static bool IsDone(IReadOnlyList<ProcessSettings> declared, IReadOnlyList<ProcessStatus> statuses)
    {
        var byName = statuses.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var dependencies = declared.GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.First().DependsOn, StringComparer.Ordinal);
        var memo = new Dictionary<string, bool>(StringComparer.Ordinal);
        return declared.All(p => byName.TryGetValue(p.Name, out var s) && Done(s, byName, dependencies, memo));
    }

    private static bool Done(ProcessStatus s, Dictionary<string, ProcessStatus> all,
        Dictionary<string, IReadOnlyList<Dependency>> dependencies, Dictionary<string, bool> memo)
    {
        if (memo.TryGetValue(s.Name, out var known)) return known;
        memo[s.Name] = false; // the graph is acyclic (check-config); this only guards the recursion
        var done = s.State switch
        {
            ProcessState.Completed or ProcessState.Failed => true,
            ProcessState.Stopped => s.Trail.Count > 0,
            ProcessState.Waiting => dependencies.GetValueOrDefault(s.Name, [])
                .Where(d => all.TryGetValue(d.Name, out var dep) && !ProcessLifecycle.Satisfies(AsDependency(dep), d.Condition))
                .Any(d => all[d.Name] is var dep && (dep.State == ProcessState.Stopped || (dep.State == ProcessState.Waiting && Done(dep, all, dependencies, memo)))),
            _ => false,
        };
        memo[s.Name] = done;
        return done;
    }

    // Only the state matters for the conditions checked here (a waiting process's dependency is never running).
    private static DependencyState AsDependency(ProcessStatus s) => new(s.Name, s.State, s.Reason);

    /// <summary>The services that never reach a final state by themselves (restart = always): --until-done waits for them to fail.</summary>
    public static IReadOnlyList<string> NeverDoneByThemselves(IReadOnlyList<ProcessSettings> declared) =>
        declared.Where(p => p.Kind == ProcessKind.Service && p.Restart == RestartPolicy.Always).Select(p => p.Name).ToList();
}
