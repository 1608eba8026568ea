using Akka.Actor;
using Akka.Event;
using Actors.Configuration;
using Actors.Processes;
using Actors.Scheduling;
using Actors.State;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>
/// The root supervisor: one child per declared process (in declaration order), the state keeper, queries and
/// commands fanned out to the processes, and the orderly node stop. Reloads and scales are in
/// <c>NodeSupervisorActor.Reload.cs</c>, the node's stop in <c>NodeSupervisorActor.Shutdown.cs</c>, depends-on in
/// <c>NodeSupervisorActor.Dependencies.cs</c>. Never blocks its mailbox: answers that need the children's answers
/// are assembled from Asks and piped to the asker.
/// </summary>
internal sealed partial class NodeSupervisorActor : DelegateReceiveActor, IWithTimers
{
    /// <summary>Cannot collide with a process: process names have no '@'.</summary>
    internal const string KeeperName = "@state";

    /// <summary>A declared process: its current settings and its supervisor.</summary>
    private sealed record Child(ProcessSettings Settings, IActorRef Ref)
    {
        public string Name => Settings.Name;
    }

    private readonly SupervisorOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef? _keeper;
    private readonly List<Child> _processes = new();
    private readonly PolicyClock _wall;
    // Where this node stands for singletons (see PlacementGate): closed until the cluster actor opens it.
    private PlacementGate _gate = new(false, LifecycleState.GateNotYetOpened);

    public ITimerScheduler Timers { get; set; } = null!;

    public NodeSupervisorActor(ActorsSettings settings, SupervisorOptions options)
    {
        _options = options;
        _wall = options.Clock ?? PolicyClock.Of(Context.System.Scheduler);
        // Read once, like the rest of node settings: a reload does not change it (ReloadService says so).
        _shutdownTimeout = settings.Node.ShutdownTimeout;
        IReadOnlyDictionary<string, SavedIntent> saved = new Dictionary<string, SavedIntent>();
        if (options.StateFile is { } file)
        {
            saved = NodeStateFile.Load(file, out var warning);
            if (warning is not null) _log.Warning("{0}", warning);
            // Processes no longer declared are left out: the next write drops them.
            var declared = settings.Processes.Select(p => p.Name).ToHashSet();
            _keeper = Context.ActorOf(StateKeeper.Props(file, saved.Where(p => declared.Contains(p.Key)).ToDictionary()), KeeperName);
        }
        Declare(settings.Processes);
        _replicas.RememberFile(settings.Processes);
        foreach (var process in settings.Processes)
            _processes.Add(Create(process, saved.GetValueOrDefault(process.Name, SavedIntent.Default)));

        Receive<IntentChanged>(m => _keeper?.Forward(m));
        ReceiveDependencies();
        ReceiveShutdown();
        Receive<NodeSupervisor.GetNodeStatus>(OnGetNodeStatus);
        Receive<NodeSupervisor.ToProcesses>(OnToProcesses);
        Receive<Terminated>(OnTerminated);
        Receive<PlacementGate>(OnPlacementGate);
        ReceiveReload();
    }

    /// <summary>
    /// A bug in a process's supervisor must not take the node down: restart that supervisor (its runner stops
    /// with it and kills what it ran), and stop it for good if it keeps crashing.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(10, 60_000, e =>
        {
            _log.Error(e, "supervisor of a process crashed; restarting it");
            return Directive.Restart;
        }, loggingEnabled: false);

    private Child Create(ProcessSettings settings, SavedIntent saved)
    {
        var child = Context.ActorOf(ProcessSupervisor.Props(settings, _options, saved, _dependencies.StatesFor(settings)), settings.Name);
        // Watched so that a supervisor gone for good (or removed by a reload) never leaves anyone waiting on it.
        Context.Watch(child);
        TellGate(settings, child);
        return new Child(settings, child);
    }

    /// <summary>
    /// The cluster actor says whether this node may run singletons now; every singleton's supervisor hears it, and
    /// those created later hear the latest word when they are created.
    /// </summary>
    private void OnPlacementGate(PlacementGate m)
    {
        if (m == _gate) return;
        _gate = m;
        if (_processes.Any(c => c.Settings.Placement is SingletonPlacement))
            _log.Info("singletons {0} on this node: {1}", m.Open ? "may run" : "may not run", m.Reason);
        foreach (var child in _processes) TellGate(child.Settings, child.Ref);
    }

    private void TellGate(ProcessSettings settings, IActorRef child)
    {
        if (settings.Placement is SingletonPlacement) child.Tell(_gate);
    }

    /// <summary>
    /// The named processes in declaration order (all for null or empty), or the names that are not declared. A
    /// declared name means every replica of it (<c>web</c>: web-1 … web-N); a replica's own name means that one.
    /// </summary>
    private bool TryResolve(IReadOnlyList<string>? names, out List<Child> targets)
    {
        targets = _processes;
        if (names is null || names.Count == 0) return true;
        var unknown = names.Where(n => _processes.All(c => c.Name != n && c.Settings.Group != n)).Distinct().ToList();
        if (unknown.Count > 0)
        {
            Sender.Tell(new NodeSupervisor.UnknownProcesses(unknown, ReplicaPlanner.KnownNames(DeclaredSettings())));
            return false;
        }
        targets = _processes.Where(c => names.Contains(c.Name) || names.Contains(c.Settings.Group)).ToList();
        return true;
    }

    /// <summary>The settings of the declared processes, in declaration order.</summary>
    private List<ProcessSettings> DeclaredSettings() => _processes.Select(c => c.Settings).ToList();

    private void OnGetNodeStatus(NodeSupervisor.GetNodeStatus m)
    {
        if (!TryResolve(m.Names, out var targets)) return;
        var asks = targets.Select(c => c.Ref.Ask<ProcessStatus>(new GetStatus(), SupervisorAsks.QuickAnswer)).ToList();
        // A copy's count is the group's now: one that a scale did not touch still holds the count it was made with.
        var counts = _processes.GroupBy(c => c.Settings.Group).ToDictionary(g => g.Key, g => g.Count());
        Task.WhenAll(asks).PipeTo(Sender,
            success: statuses => new NodeSupervisor.NodeStatus(statuses.Select(s => s.Replica is { } r && counts.TryGetValue(r.Group, out var n)
                ? s with { Replica = r with { Count = n } } : s).ToList()),
            failure: e => new Status.Failure(e));
    }

    private void OnToProcesses(NodeSupervisor.ToProcesses m)
    {
        if (!TryResolve(m.Names, out var targets)) return;
        var timeout = SupervisorAsks.AnswerTimeout(m.Command, targets.Select(c => c.Settings));
        if (TryStopInWaves(targets, m.Command, timeout)) return;
        var asks = targets.Select(c => SupervisorAsks.AskOrRefuse(c.Ref, c.Name, m.Command, timeout)).ToList();
        Task.WhenAll(asks).PipeTo(Sender, success: replies => new NodeSupervisor.ProcessReplies(replies), failure: e => new Status.Failure(e));
    }

    private void OnTerminated(Terminated m)
    {
        if (_leaving.Remove(m.ActorRef, out var name))
        {
            _keeper?.Tell(new StateKeeper.Forget(name));
            StepDone();
            StopNextWave();
            return;
        }
        int index = _processes.FindIndex(c => c.Ref.Equals(m.ActorRef));
        if (index < 0) return;
        var gone = _processes[index].Name;
        _processes.RemoveAt(index);
        if (ForgetDuringShutdown(gone)) return;
        // Its supervisor kept crashing and was stopped for good (see SupervisorStrategy); its runs went with it.
        _log.Warning("the supervisor of {0} is gone for good", gone);
    }
}
