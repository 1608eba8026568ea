using Akka.Actor;
using Akka.Event;
using Actors.Configuration;
using Actors.Supervision;

namespace Actors.Node.Hosting;

/// <summary>
/// What <c>actors run</c> shares with its <see cref="CompletionWatcher"/>: the rules it runs to completion by, and
/// how the run ended by itself (null while it has not).
/// </summary>
internal sealed class RunOutcome(RunToCompletion policy)
{
    public RunToCompletion Policy { get; } = policy;

    private NodeExit? _exit;

    /// <summary>The exit the watcher decided, if any (read by <c>run</c> once the node has stopped).</summary>
    public NodeExit? Exit => Volatile.Read(ref _exit);

    /// <summary>Whether the node is already stopping (SIGTERM, <c>actors shutdown</c>); set by the host.</summary>
    public Func<bool> Stopping { get; set; } = () => true;

    /// <summary>Stops the node the way SIGTERM does; set by the host.</summary>
    public Action StopNode { get; set; } = () => { };

    /// <summary>Records <paramref name="exit"/> and stops the node; false (nothing recorded) when it is already stopping.</summary>
    public bool End(NodeExit exit)
    {
        if (Stopping()) return false;
        Interlocked.CompareExchange(ref _exit, exit, null);
        StopNode();
        return true;
    }
}

/// <summary>
/// Ends the node's run by itself when <see cref="RunToCompletion"/> says so (<c>exit-on-failure</c>,
/// <c>--exit-code-from</c>, <c>--until-done</c>): on each transition that can end it, it asks the root for every
/// status and decides on that snapshot, so a process that passes through <c>stopped</c> on its way to a restart
/// never looks done. Then it stops the node the normal way (in dependency waves) and the node exits with the code.
/// </summary>
internal sealed class CompletionWatcher : DelegateReceiveActor, IWithTimers
{
    public const string Name = "completion";

    private sealed record Check;
    private sealed record Observed(NodeSupervisor.NodeStatus Status);

    private readonly RunOutcome _outcome;
    private readonly IActorRef _root;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IReadOnlyList<ProcessSettings> _declared;
    private bool _checkQueued;
    private bool _ended;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(RunOutcome outcome, IActorRef root, IReadOnlyList<ProcessSettings> declared) =>
        FactoryProps.Of(() => new CompletionWatcher(outcome, root, declared));

    public CompletionWatcher(RunOutcome outcome, IActorRef root, IReadOnlyList<ProcessSettings> declared)
    {
        _outcome = outcome;
        _root = root;
        _declared = declared;
        Receive<NodeSupervisor.ProcessesDeclared>(m =>
        {
            _declared = m.Processes;
            if (_outcome.Policy.ExitCodeFrom is { } from && m.Processes.All(p => p.Name != from))
                _log.Warning("--exit-code-from {0}: a reload removed {0}; the run now ends only by SIGTERM, actors shutdown or exit-on-failure", from);
            QueueCheck(); // a reload may remove the last process still running
        });
        Receive<NodeSupervisor.ProcessTransitioned>(m =>
        {
            if (_outcome.Policy.MayEndOn(m.Name, m.State, _declared)) QueueCheck();
        });
        Receive<Check>(_ =>
        {
            _checkQueued = false;
            if (_ended || !_outcome.Policy.CanEnd(_declared)) return;
            _root.Ask<NodeSupervisor.NodeStatus>(new NodeSupervisor.GetNodeStatus(), TimeSpan.FromSeconds(30))
                .PipeTo(Self, success: s => new Observed(s), failure: e => new Unanswered(e.GetBaseException().Message));
        });
        Receive<Unanswered>(m =>
        {
            _log.Warning("run to completion: the supervisor did not answer ({0}); asking again in 1s", m.Why);
            Timers.StartSingleTimer(nameof(Unanswered), new Check(), TimeSpan.FromSeconds(1));
        });
        Receive<Observed>(OnObserved);
    }

    private sealed record Unanswered(string Why);

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(NodeSupervisor.ProcessTransitioned));
        Context.System.EventStream.Subscribe(Self, typeof(NodeSupervisor.ProcessesDeclared));
        // Transitions before the subscription are in the first snapshot.
        QueueCheck();
    }

    private void QueueCheck()
    {
        if (_checkQueued || _ended) return;
        _checkQueued = true;
        Self.Tell(new Check());
    }

    private void OnObserved(Observed m)
    {
        if (_ended) return;
        if (_outcome.Policy.Decide(_declared, m.Status.Processes) is not { } exit) return;
        _ended = true;
        if (_outcome.End(exit))
            _log.Info("{0}: stopping every process, then the node exits with code {1}", exit.Reason, exit.Code);
    }
}
