using Akka.Actor;
using Akka.Event;
using Akka.Cluster;
using Akka.DistributedData;
using Actors.Supervision;

namespace Actors.Node.Cluster;

/// <summary>
/// The fleet view: each node writes its own processes' status into its own DistributedData key (one LWW register per
/// member incarnation, so a restarted node never mixes with its former self) and subscribes to the keys of the others.
/// The leader deletes the key of a removed member; every node drops it from its view at once.
/// </summary>
internal sealed partial class ClusterNodeActor
{
    /// <summary>Transitions come in bursts (a node starting 200 processes): publish once per this interval at most.</summary>
    internal static readonly TimeSpan PublishDelay = TimeSpan.FromMilliseconds(250);

    private static readonly WriteAll PushToAll = new(TimeSpan.FromSeconds(3));

    private sealed record Publish;
    private sealed record Snapshot(NodeSupervisor.NodeStatus Status);

    private readonly LWWRegisterKey<string> _ownKey;
    private readonly Dictionary<string, (string Json, DateTimeOffset At)> _published = new(StringComparer.Ordinal);
    private readonly Dictionary<UniqueAddress, LWWRegisterKey<string>> _subscribed = [];
    private bool _publishQueued;
    private string? _lastJson;

    private static LWWRegisterKey<string> KeyOf(UniqueAddress member) =>
        new($"actors-status/{member.Address.Host}:{member.Address.Port}/{member.Uid}");

    private void FleetReceives()
    {
        Receive<NodeSupervisor.ProcessTransitioned>(_ => QueuePublish());
        Receive<NodeSupervisor.ProcessesDeclared>(_ => QueuePublish());
        Receive<Publish>(_ =>
        {
            _publishQueued = false;
            _root.Ask<NodeSupervisor.NodeStatus>(new NodeSupervisor.GetNodeStatus(), TimeSpan.FromSeconds(30))
                .PipeTo(Self, success: s => new Snapshot(s), failure: _ => new Publish());
        });
        Receive<Snapshot>(m =>
        {
            var json = FleetJson.Encode(m.Status.Processes, DateTimeOffset.UtcNow);
            if (json == _lastJson) return;
            _lastJson = json;
            var self = _cluster.SelfUniqueAddress;
            // Written to every member at once rather than left to the next gossip round (measured: a change then showed on
            // the other nodes about 2 s later, at the gossip interval); an unreachable member only makes the write time
            // out, the value is in the local replica all the same and gossip takes it there later.
            _replicator.Tell(Dsl.Update(_ownKey, new LWWRegister<string>(self, json), PushToAll, r => r.WithValue(self, json)));
            _published[_ownKey.Id] = (json, DateTimeOffset.UtcNow);
        });
        Receive<Changed>(m =>
        {
            if (m.Key is LWWRegisterKey<string> key && _subscribed.ContainsValue(key))
                _published[key.Id] = (m.Get(key).Value, DateTimeOffset.UtcNow);
        });
        Receive<UpdateSuccess>(_ => { });
        Receive<UpdateTimeout>(_ => { });
        Receive<IUpdateFailure>(m => _log.Warning("cluster: publishing this node's status failed: {0}", m));
        Receive<DeleteSuccess>(_ => { });
        Receive<IDeleteResponse>(_ => { });
        Receive<ClusterNode.GetFleet>(_ =>
        {
            var members = MembersNow();
            var nodes = new List<ClusterNode.FleetNode>();
            var byName = _subscribed.ToDictionary(kv => NodeName(kv.Key.Address), kv => kv.Value.Id, StringComparer.Ordinal);
            foreach (var member in members.Members)
            {
                var id = member.IsSelf ? _ownKey.Id : byName.GetValueOrDefault(member.Address);
                var entry = id is not null && _published.TryGetValue(id, out var e) ? e : default;
                nodes.Add(new ClusterNode.FleetNode(member, entry.Json, entry.Json is null ? null : FleetJson.PublishedAt(entry.Json)));
            }
            // Not joined yet: this node alone, with its own status.
            if (!members.Joined)
                nodes.Add(new ClusterNode.FleetNode(new ClusterNode.MemberView(_self, "joining", _config.Roles, true, false, true),
                    _lastJson, _lastJson is null ? null : FleetJson.PublishedAt(_lastJson)));
            Sender.Tell(new ClusterNode.Fleet(members, nodes));
        });
    }

    private void QueuePublish()
    {
        if (_publishQueued) return;
        _publishQueued = true;
        Timers.StartSingleTimer("publish", new Publish(), PublishDelay);
    }

    private void OnMembershipChanged(ClusterEvent.IMemberEvent e)
    {
        var member = e.Member.UniqueAddress;
        if (member == _cluster.SelfUniqueAddress) return;
        if (e is ClusterEvent.MemberRemoved)
        {
            if (_subscribed.Remove(member, out var key))
            {
                _replicator.Tell(Dsl.Unsubscribe(key, Self));
                _published.Remove(key.Id);
                // Someone must drop the removed member's entry from the replicated data: the leader does.
                if (_cluster.State.Leader is { } leader && leader.Equals(_cluster.SelfAddress))
                    _replicator.Tell(Dsl.Delete(key, WriteLocal.Instance));
            }
            return;
        }
        if (_subscribed.ContainsKey(member)) return;
        var memberKey = KeyOf(member);
        _subscribed[member] = memberKey;
        _replicator.Tell(Dsl.Subscribe(memberKey, Self));
    }
}
