using Akka.Actor;
using Actors.Configuration;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>
/// <c>depends-on</c> at the node: each process's state changes go to its dependents (the dependents decide when
/// to start, see <c>Lifecycle/ProcessLifecycle.Dependencies.cs</c>); an operator's stop of several processes goes in
/// waves, dependents first, as the node's own stop does (<c>NodeSupervisorActor.Shutdown.cs</c>).
/// </summary>
internal sealed partial class NodeSupervisorActor
{
    /// <summary>From a process supervisor that restarted after a crash: it lost what it knew of its dependencies.</summary>
    internal sealed record ResendDependencies(string Name);

    // The latest state each declared process reported; one not here has not reported yet (not started yet).
    private readonly Dictionary<string, ProcessStateChanged> _reported = new(StringComparer.Ordinal);
    // The settings of the declared processes by name: whether a dependency has a readiness probe.
    private Dictionary<string, ProcessSettings> _declared = new(StringComparer.Ordinal);
    // The names someone depends on: the state changes of all others need not be routed (most processes, usually).
    private HashSet<string> _dependedOn = new(StringComparer.Ordinal);

    private void ReceiveDependencies()
    {
        Receive<ProcessStateChanged>(OnProcessStateChanged);
        Receive<ResendDependencies>(m =>
        {
            if (_processes.Find(c => c.Name == m.Name) is { } child) SendDependencyStates(child.Settings, child.Ref);
        });
    }

    /// <summary>The declaration in force (at boot, and at the start of each reload): dependencies are looked up here.</summary>
    private void Declare(IReadOnlyList<ProcessSettings> processes)
    {
        var declared = new Dictionary<string, ProcessSettings>(StringComparer.Ordinal);
        foreach (var process in processes) declared.TryAdd(process.Name, process);
        foreach (var gone in _reported.Keys.Where(n => !declared.ContainsKey(n)).ToList()) _reported.Remove(gone);
        _declared = declared;
        _dependedOn = processes.SelectMany(p => p.DependsOn.Select(d => d.Name)).ToHashSet(StringComparer.Ordinal);
        Context.System.EventStream.Publish(new NodeSupervisor.ProcessesDeclared(processes));
    }

    private void OnProcessStateChanged(ProcessStateChanged m)
    {
        // A removed process on its way out is no one's dependency any more (validation sees to that).
        if (_leaving.ContainsKey(Sender)) return;
        Context.System.EventStream.Publish(new NodeSupervisor.ProcessTransitioned(m.Name, m.State, m.Reason, _wall.Wall) { LastExit = m.LastExit });
        _reported[m.Name] = m;
        NotifyDependents(_declared.GetValueOrDefault(m.Name)?.Group ?? m.Name);
    }

    /// <summary>Tells the dependents of a declared name (every replica of it) where it stands now.</summary>
    private void NotifyDependents(string group)
    {
        if (!_dependedOn.Contains(group) || StateOf(group) is not { } state) return;
        foreach (var child in _processes)
        {
            if (child.Settings.DependsOn.Any(d => d.Name == group)) child.Ref.Tell(state);
        }
    }

    /// <summary>
    /// Where a declared process stands, as its dependents see it; null before its first report. With replicas,
    /// the copy furthest from being there speaks for all (a failed one before a starting one before a running one),
    /// so <c>web = ready</c> is met only once every replica is ready, and null until each has reported.
    /// </summary>
    private DependencyState? StateOf(string name)
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

    /// <summary>The known states of the dependencies of <paramref name="settings"/>: what a new supervisor starts from.</summary>
    private List<DependencyState> DependencyStatesOf(ProcessSettings settings) =>
        settings.DependsOn.Select(d => StateOf(d.Name)).OfType<DependencyState>().ToList();

    /// <summary>
    /// Sent before new settings, so a changed depends-on is judged on current states; harmless when nothing
    /// changed (a process only acts on them while it waits).
    /// </summary>
    private void SendDependencyStates(ProcessSettings settings, IActorRef child)
    {
        foreach (var state in DependencyStatesOf(settings)) child.Tell(state);
    }

    /// <summary>
    /// An operator's stop of several processes: in waves, so that a dependent has stopped before its dependency
    /// is stopped. Each wave stops in parallel. False when there is nothing to order (one wave): the caller sends
    /// the command to all at once as usual.
    /// </summary>
    private bool TryStopInWaves(List<Child> targets, IProcessCommand command, TimeSpan timeout)
    {
        if (command is not StopProcess || targets.Count < 2) return false;
        var waves = DependencyGraph.StopWaves(_processes.Select(c => c.Settings).ToList(), targets.Select(c => c.Name).ToList());
        if (waves.Count < 2) return false;
        var refs = targets.ToDictionary(c => c.Name, c => c.Ref);
        var order = targets.Select(c => c.Name).ToList();
        StopWaves(waves, refs, order, command, timeout)
            .PipeTo(Sender, success: replies => replies, failure: e => new Status.Failure(e));
        return true;
    }

    // Runs outside the actor (only immutable values and actor refs are captured).
    private static async Task<NodeSupervisor.ProcessReplies> StopWaves(
        IReadOnlyList<IReadOnlyList<string>> waves, Dictionary<string, IActorRef> refs, List<string> order, IProcessCommand command, TimeSpan timeout)
    {
        var replies = new Dictionary<string, IProcessReply>();
        foreach (var wave in waves)
        {
            // A refusal or a timeout does not hold the next wave back: the operator asked for all of them to stop.
            var answers = await Task.WhenAll(wave.Select(n => AskOrRefuse(refs[n], n, command, timeout))).ConfigureAwait(false);
            for (var i = 0; i < wave.Count; i++) replies[wave[i]] = answers[i];
        }
        return new NodeSupervisor.ProcessReplies(order.Select(n => replies[n]).ToList());
    }
}
