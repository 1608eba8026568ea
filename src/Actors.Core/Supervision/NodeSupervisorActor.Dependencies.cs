using Akka.Actor;
using Actors.Configuration;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>
/// <c>depends-on</c> at the node: each process's state changes go to its dependents (the dependents decide when
/// to start, see <c>Lifecycle/ProcessLifecycle.Dependencies.cs</c>; what the node knows is in <see cref="DependencyBook"/>); an operator's stop of several processes goes in
/// waves, dependents first, as the node's own stop does (<c>NodeSupervisorActor.Shutdown.cs</c>).
/// </summary>
internal sealed partial class NodeSupervisorActor
{
    /// <summary>From a process supervisor that restarted after a crash: it lost what it knew of its dependencies.</summary>
    internal sealed record ResendDependencies(string Name);

    private readonly DependencyBook _dependencies = new();

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
        _dependencies.Declare(processes);
        Context.System.EventStream.Publish(new NodeSupervisor.ProcessesDeclared(processes));
    }

    private void OnProcessStateChanged(ProcessStateChanged m)
    {
        // A removed process on its way out is no one's dependency any more (validation sees to that).
        if (_leaving.ContainsKey(Sender)) return;
        Context.System.EventStream.Publish(new NodeSupervisor.ProcessTransitioned(m.Name, m.State, m.Reason, _wall.Wall) { LastExit = m.LastExit });
        NotifyDependents(_dependencies.Report(m));
    }

    /// <summary>Tells the dependents of a declared name (every replica of it) where it stands now.</summary>
    private void NotifyDependents(string group)
    {
        if (_dependencies.NewsFor(group) is not { } state) return;
        foreach (var child in _processes)
        {
            if (child.Settings.DependsOn.Any(d => d.Name == group)) child.Ref.Tell(state);
        }
    }

    /// <summary>
    /// Sent before new settings, so a changed depends-on is judged on current states; harmless when nothing
    /// changed (a process only acts on them while it waits).
    /// </summary>
    private void SendDependencyStates(ProcessSettings settings, IActorRef child)
    {
        foreach (var state in _dependencies.StatesFor(settings)) child.Tell(state);
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
        SupervisorAsks.StopInWaves(waves, refs, order, command, timeout)
            .PipeTo(Sender, success: replies => replies, failure: e => new Status.Failure(e));
        return true;
    }
}
