using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Actors.Configuration;
using ClusterSettings = Actors.Configuration.ClusterSettings;
using Actors.Node.Hosting;
using Actors.Supervision;

namespace Actors.Node.Cluster;

/// <summary>
/// The node's member of the cluster. Joining: it asks the seed nodes to compare this node's declarations of the
/// cluster-placed processes with theirs, joins once one agrees, is refused (the node stops with the difference) if
/// one differs, and logs which seed nodes it is waiting for while none answers; the node's own processes run all
/// the while. Then it publishes this node's process status (<c>.Fleet.cs</c>) and carries commands to other nodes
/// (<c>.Commands.cs</c>).
/// </summary>
internal sealed partial class ClusterNodeActor : DelegateReceiveActor, IWithTimers
{
    /// <summary>How often a node that has not joined asks its seed nodes again.</summary>
    internal static readonly TimeSpan JoinRetry = TimeSpan.FromSeconds(3);

    /// <summary>How often a node still waiting says so in its log (the first time after two unanswered rounds).</summary>
    internal static readonly TimeSpan WaitingLogEvery = TimeSpan.FromSeconds(30);

    private sealed record TryJoin;

    private readonly ActorsSettings _settings;
    private readonly ClusterSettings _config;
    private readonly IActorRef _root;
    private readonly RunOutcome? _outcome;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly IActorRef _replicator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _self;
    // This node's declarations of its cluster-placed processes, as a joining node is compared with; a reload replaces them.
    private ClusterDeclarations _declarations;
    private string _declarationsJson;
    private readonly DateTime _waitingSince = DateTime.UtcNow;
    private DateTime _lastWaitingLog = DateTime.MinValue;
    private int _rounds;
    private bool _joinStarted;
    private bool _refused;
    // Set on this node's own MemberUp; read by the member-removed callback, which runs on another thread.
    private volatile bool _wasUp;
    private readonly SingletonGate _gate;
    private ProcessSupervisor.PlacementGate? _lastGate;
    // Each member's status as the member events told this actor, in their order. Not Cluster.State: another actor
    // updates that view from the same events, so it can lag the event being handled (this node's own Down, seen
    // there still Up, kept the gate open until the cluster stopped, 0.7 s later, in the partition test).
    private readonly Dictionary<UniqueAddress, MemberStatus> _statuses = [];

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ActorsSettings settings, ClusterSettings config, IActorRef root, RunOutcome? outcome) =>
        FactoryProps.Of(() => new ClusterNodeActor(settings, config, root, outcome));

    public ClusterNodeActor(ActorsSettings settings, ClusterSettings config, IActorRef root, RunOutcome? outcome)
    {
        _settings = settings;
        _config = config;
        _root = root;
        _outcome = outcome;
        _cluster = Akka.Cluster.Cluster.Get(Context.System);
        _replicator = DistributedData.Get(Context.System).Replicator;
        _self = NodeName(_cluster.SelfAddress);
        _declarations = settings.ClusterDeclarations;
        _declarationsJson = _declarations.ToJson();
        _ownKey = KeyOf(_cluster.SelfUniqueAddress);
        _gate = new SingletonGate(config.MinNrOfMembers);

        Receive<TryJoin>(_ => JoinRound());
        Receive<CheckDeclarations>(OnCheckDeclarations);
        Receive<DeclarationsChecked>(OnDeclarationsChecked);
        Receive<ClusterEvent.IMemberEvent>(OnMemberEvent);
        Receive<ClusterEvent.UnreachableMember>(m => _log.Warning("cluster: {0} is unreachable", NodeName(m.Member.Address)));
        Receive<ClusterEvent.ReachableMember>(m => _log.Info("cluster: {0} is reachable again", NodeName(m.Member.Address)));
        Receive<ClusterEvent.LeaderChanged>(m => _log.Info("cluster: the leader is {0}", m.Leader is { } leader ? NodeName(leader) : "(none)"));
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
        Receive<ClusterNode.GetMembers>(_ => Sender.Tell(MembersNow()));
        Receive<ClusterNode.DeclarationsReloaded>(m =>
        {
            _declarations = m.Declarations;
            _declarationsJson = _declarations.ToJson();
        });
        FleetReceives();
        CommandReceives();
        BootstrapReceives();
    }

    /// <summary><c>host:port</c> of a member: how seed-nodes, status and the log name nodes.</summary>
    internal static string NodeName(Address address) => $"{address.Host}:{address.Port}";

    // The protocol of this node's own address ("akka.tcp"; with a transport adapter such as the tests' throttler, "akka.trttl.tcp").
    private Address AddressOf(ClusterSeed seed) => new(_cluster.SelfAddress.Protocol, ClusterHosting.SystemName, seed.Host, seed.Port);

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));
        // Downed by the split brain resolver (the actor may be gone before it hears of it): the ActorSystem stops,
        // and so does the node, with exit 1 and why.
        var outcome = _outcome;
        var self = _self;
        var root = _root;
        _cluster.RegisterOnMemberRemoved(() =>
        {
            // Singletons first, at once: they stop before the node's orderly stop begins.
            root.Tell(SingletonGate.ClusterStopped);
            if (_wasUp) outcome?.End(Removed(self));
        });
        Context.System.EventStream.Subscribe(Self, typeof(NodeSupervisor.ProcessTransitioned));
        Context.System.EventStream.Subscribe(Self, typeof(NodeSupervisor.ProcessesDeclared));
        var others = OtherSeeds();
        if (IsBootstrap)
            StartBootstrapWaiting();
        else if (others.Count == 0)
        {
            // No seed node but itself: this node starts the cluster and the others join it.
            _log.Info("cluster: {0} forms the cluster (no other seed node); roles [{1}]", _self, string.Join(", ", _config.Roles));
            StartJoin();
        }
        else
        {
            Self.Tell(new TryJoin());
            Timers.StartPeriodicTimer("join", new TryJoin(), JoinRetry);
        }
        QueuePublish();
    }

    protected override void PostStop()
    {
        _root.Tell(SingletonGate.ClusterStopped);
        _cluster.Unsubscribe(Self);
        Context.System.EventStream.Unsubscribe(Self);
    }

    private List<ClusterSeed> OtherSeeds() => _config.SeedNodes.Where(s => s != _config.Self && !(s.Port == _cluster.SelfAddress.Port && s.Host == _cluster.SelfAddress.Host)).ToList();

    private void JoinRound()
    {
        if (_joinStarted || _refused) return;
        _rounds++;
        if (IsBootstrap)
        {
            BootstrapWaitingRound();
            return;
        }
        foreach (var seed in OtherSeeds())
            Context.ActorSelection(new RootActorPath(AddressOf(seed)) / "user" / ClusterNode.Name).Tell(new CheckDeclarations(_declarationsJson, _self));
        // The first seed node starts the cluster when no other seed answers (Akka's first-seed-node rule), so that a
        // whole cluster can come up from cold; it still asks every round, and any answer decides first.
        if (_config.SeedNodes.Count > 0 && _config.SeedNodes[0] == _config.Self && _rounds >= 2)
        {
            _log.Info("cluster: no other seed node answers; {0}, the first seed node, forms the cluster", _self);
            StartJoin();
            return;
        }
        if (_rounds >= 2 && DateTime.UtcNow - _lastWaitingLog >= WaitingLogEvery)
        {
            _lastWaitingLog = DateTime.UtcNow;
            _log.Warning("cluster: not joined yet: waiting for seed node(s) {0} to answer (for {1:0}s); this node's own processes keep running",
                string.Join(", ", OtherSeeds()), (DateTime.UtcNow - _waitingSince).TotalSeconds);
        }
    }

    private void StartJoin()
    {
        if (_joinStarted) return;
        _joinStarted = true;
        Timers.Cancel("join");
        // With bootstrap, the bootstrap joins: it waits for this answer (see ClusterNodeActor.Bootstrap.cs).
        if (IsBootstrap)
        {
            _bootstrapAsker?.Tell(new BootstrapChecked(true));
            _bootstrapAsker = null;
            return;
        }
        if (_config.SeedNodes.Count == 0) _cluster.Join(_cluster.SelfAddress);
        else _cluster.JoinSeedNodes(_config.SeedNodes.Select(AddressOf));
    }

    /// <summary>A node asks to join through this one: compare its declarations with this node's own.</summary>
    private void OnCheckDeclarations(CheckDeclarations m)
    {
        var differences = ClusterDeclarations.FromJson(m.DeclarationsJson).Differences(_declarations, _self);
        if (differences.Count > 0)
            _log.Warning("cluster: refused {0}: its declarations of cluster-placed processes differ from this node's:{1}",
                m.From, string.Concat(differences.Select(d => "\n  " + d)));
        Sender.Tell(new DeclarationsChecked(differences, _self));
    }

    private void OnDeclarationsChecked(DeclarationsChecked m)
    {
        if (_joinStarted || _refused) return;
        if (m.Differences.Count == 0)
        {
            _log.Info("cluster: {0} {1} has the same declarations; joining", IsBootstrap ? "member" : "seed node", m.By);
            StartJoin();
            return;
        }
        _refused = true;
        Timers.Cancel("join");
        _bootstrapAsker?.Tell(new BootstrapChecked(false));
        _bootstrapAsker = null;
        var reason = $"refused by the cluster: the declarations of cluster-placed processes in {_settings.SourceFile ?? "this configuration"} differ from those of {m.By} " +
                     $"(every node must declare them alike):{string.Concat(m.Differences.Select(d => "\n  " + d))}";
        _log.Error("cluster: {0}", reason);
        _outcome?.End(new NodeExit(ExitCodes.InvalidConfig, reason));
    }

    private void OnMemberEvent(ClusterEvent.IMemberEvent e)
    {
        var who = NodeName(e.Member.Address);
        var isSelf = e.Member.UniqueAddress == _cluster.SelfUniqueAddress;
        if (e is ClusterEvent.MemberRemoved) _statuses.Remove(e.Member.UniqueAddress);
        else _statuses[e.Member.UniqueAddress] = e.Member.Status;
        switch (e)
        {
            case ClusterEvent.MemberUp:
                if (isSelf) _wasUp = true;
                _log.Info("cluster: {0} is up{1} (roles [{2}])", who, isSelf ? " (this node)" : "", string.Join(", ", e.Member.Roles));
                break;
            case ClusterEvent.MemberRemoved removed:
                _log.Info("cluster: {0} was removed (it was {1})", who, removed.PreviousStatus.ToString().ToLowerInvariant());
                // Downed or left: a member cannot come back as the same member. Stop (its processes too) and say why.
                if (isSelf)
                {
                    UpdateGate(removed: true);
                    _outcome?.End(Removed(_self));
                    return;
                }
                break;
            default:
                _log.Info("cluster: {0} is {1}", who, e.Member.Status.ToString().ToLowerInvariant());
                break;
        }
        UpdateGate(removed: false);
        OnMembershipChanged(e);
    }

    /// <summary>Tells the node whether singletons may run here (<see cref="SingletonGate"/> decides), when that changes.</summary>
    private void UpdateGate(bool removed)
    {
        MemberStatus? self = removed ? MemberStatus.Removed : _statuses.TryGetValue(_cluster.SelfUniqueAddress, out var status) ? status : null;
        var gate = _gate.Decide(self, _statuses.Values.Count(s => s == MemberStatus.Up));
        if (gate == _lastGate) return;
        _lastGate = gate;
        _root.Tell(gate);
    }

    private static NodeExit Removed(string self) =>
        new(ExitCodes.Failure, $"this node ({self}) was removed from the cluster (downed, e.g. by the split brain resolver after a partition, or told to leave); " +
                               "it stops so that its service manager restarts it and it joins again");

    private ClusterNode.MembersView MembersNow()
    {
        var state = _cluster.State;
        var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToHashSet();
        var leader = state.Leader;
        var members = state.Members
            .OrderBy(m => m.Address.Host, StringComparer.Ordinal).ThenBy(m => m.Address.Port)
            .Select(m => new ClusterNode.MemberView(NodeName(m.Address), m.Status.ToString().ToLowerInvariant(), m.Roles.Order(StringComparer.Ordinal).ToList(),
                !unreachable.Contains(m.UniqueAddress), leader is not null && m.Address.Equals(leader), m.UniqueAddress == _cluster.SelfUniqueAddress))
            .ToList();
        var joined = members.Any(m => m.IsSelf);
        var up = state.Members.Count(m => m.Status == MemberStatus.Up);
        return new ClusterNode.MembersView(_self, joined, joined && up >= _config.MinNrOfMembers, _config.MinNrOfMembers,
            leader is null ? null : NodeName(leader), members, joined ? [] : IsBootstrap ? BootstrapWaitingFor() : OtherSeeds().Select(s => s.ToString()).ToList())
        {
            Bootstrap = IsBootstrap,
        };
    }
}
