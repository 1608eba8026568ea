using Akka.Actor;
using Akka.Event;
using Actors.Configuration;
using Actors.Supervision;

namespace Actors.Node.Systemd;

/// <summary>What the node's parts share to speak to systemd: the notifier, and the reporter actor once it runs.</summary>
internal sealed class SystemdLink(SystemdNotifier notifier)
{
    public SystemdNotifier Notifier { get; } = notifier;

    /// <summary>Set once STOPPING=1 was sent: READY=1 must not follow it.</summary>
    public volatile bool Stopping;

    public IActorRef Reporter { get; set; } = ActorRefs.Nobody;

    public void SendStopping()
    {
        Stopping = true;
        Notifier.Send("STOPPING=1", "STATUS=stopping every process");
    }
}

/// <summary>
/// Tells systemd how the node is doing: READY=1 once every process reached its start state
/// (<see cref="StartupProgress"/>), a STATUS= line with the counts whenever they change, READY=1 again after a
/// reload, and WATCHDOG=1 every half WATCHDOG_USEC — but only when the root supervisor answered a status in time,
/// so a node whose actor system is stuck stops pinging and systemd restarts it. Driven by the transitions the
/// root publishes, no polling.
/// </summary>
internal sealed class SystemdReporter : DelegateReceiveActor, IWithTimers
{
    public const string Name = "systemd";

    /// <summary>A reload finished (Settings null: it was rejected and nothing changed).</summary>
    public sealed record ReloadFinished(ActorsSettings? Settings, string Summary);

    private sealed record Check;
    private sealed record WatchdogTick;
    private sealed record Observed(NodeSupervisor.NodeStatus Status, bool ForWatchdog);
    private sealed record Unanswered(bool ForWatchdog, string Why);

    private readonly SystemdLink _link;
    private readonly IActorRef _root;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IReadOnlyList<ProcessSettings> _declared;
    private bool _checkQueued;
    private bool _readySent;
    private string? _lastStatus;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SystemdLink link, IActorRef root, IReadOnlyList<ProcessSettings> declared) =>
        FactoryProps.Of(() => new SystemdReporter(link, root, declared));

    public SystemdReporter(SystemdLink link, IActorRef root, IReadOnlyList<ProcessSettings> declared)
    {
        _link = link;
        _root = root;
        _declared = declared;
        Receive<NodeSupervisor.ProcessTransitioned>(_ => QueueCheck());
        Receive<Check>(_ =>
        {
            _checkQueued = false;
            Ask(forWatchdog: false);
        });
        Receive<WatchdogTick>(_ => Ask(forWatchdog: true));
        Receive<Observed>(OnObserved);
        Receive<Unanswered>(m =>
        {
            if (m.ForWatchdog) _log.Warning("no WATCHDOG=1 this time: the supervisor did not answer ({0})", m.Why);
        });
        Receive<ReloadFinished>(m =>
        {
            if (m.Settings is not null) _declared = m.Settings.Processes;
            // Back from RELOADING=1: the node is up again (also after a rejected reload, which changed nothing).
            if (_readySent && !_link.Stopping) _link.Notifier.Send("READY=1", $"STATUS={m.Summary}");
            _lastStatus = null;
            QueueCheck();
        });
    }

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(NodeSupervisor.ProcessTransitioned));
        QueueCheck();
        if (_link.Notifier.WatchdogInterval is { } every)
        {
            _link.Notifier.Send("WATCHDOG=1"); // the first at once: the interval runs from the node's start
            Timers.StartPeriodicTimer(nameof(WatchdogTick), new WatchdogTick(), every);
        }
    }

    private void QueueCheck()
    {
        if (_checkQueued) return;
        _checkQueued = true;
        Self.Tell(new Check());
    }

    private void Ask(bool forWatchdog)
    {
        var within = forWatchdog ? _link.Notifier.WatchdogInterval!.Value : TimeSpan.FromSeconds(30);
        _root.Ask<NodeSupervisor.NodeStatus>(new NodeSupervisor.GetNodeStatus(), within)
            .PipeTo(Self, success: s => new Observed(s, forWatchdog), failure: e => new Unanswered(forWatchdog, e.GetBaseException().Message));
    }

    private void OnObserved(Observed m)
    {
        if (m.ForWatchdog) _link.Notifier.Send("WATCHDOG=1");
        var line = StartupProgress.StatusLine(m.Status.Processes);
        if (!_readySent && !_link.Stopping && StartupProgress.AllSettled(m.Status.Processes, _declared))
        {
            _readySent = true;
            _lastStatus = line;
            _log.Info("every process reached its start state; READY=1 sent to systemd ({0})", line);
            _link.Notifier.Send("READY=1", $"STATUS={line}");
            return;
        }
        if (line == _lastStatus) return;
        _lastStatus = line;
        _link.Notifier.Send($"STATUS={(_readySent || _link.Stopping ? line : "starting: " + line)}");
    }
}
