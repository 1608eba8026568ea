using Akka.Actor;
using Akka.Event;
using Actors.Supervision;

namespace Actors.Node.Cluster;

/// <summary>
/// Joining through <c>actors.cluster.bootstrap</c> (Akka.Management's Cluster Bootstrap) instead of seed nodes. The
/// bootstrap decides when and whom to join (<see cref="CheckedJoinDecider"/>); this actor keeps the guarantee of the
/// seed-node path: before the node joins a cluster, a member of it compares this node's declarations with its own, and
/// a node that differs is refused (it stops with the difference) and never joins. While no cluster is found it logs
/// whom it waits for, as with seed nodes; the node's own processes run all the while.
/// </summary>
internal sealed partial class ClusterNodeActor
{
    /// <summary>From the join decider: may the node join the cluster of these members? Answered with <see cref="BootstrapChecked"/>.</summary>
    internal sealed record BootstrapCheck(IReadOnlyList<Address> Members);

    /// <summary><paramref name="Agreed"/>: a member has the same declarations; false: none answered yet, or one refused the node.</summary>
    internal sealed record BootstrapChecked(bool Agreed);

    /// <summary>
    /// From the join decider, while it keeps probing: the contact points that do not answer, or, when all answer and none
    /// is in a cluster yet, the one expected to form it (<paramref name="FormingNode"/>, null when it is this node).
    /// </summary>
    internal sealed record BootstrapWaiting(IReadOnlyList<string> Unanswered, string? FormingNode);

    /// <summary>From the join decider: no cluster exists and this node, the lowest contact point, forms it.</summary>
    internal sealed record BootstrapForms;

    /// <summary>The management endpoint or the bootstrap could not start.</summary>
    internal sealed record BootstrapFailed(string Reason);

    private IActorRef? _bootstrapAsker;
    private IReadOnlyList<string> _bootstrapUnanswered = [];
    private string? _bootstrapForming;

    private bool IsBootstrap => _config.Bootstrap is not null;

    private void BootstrapReceives()
    {
        Receive<BootstrapCheck>(OnBootstrapCheck);
        Receive<BootstrapWaiting>(m =>
        {
            _bootstrapUnanswered = m.Unanswered;
            _bootstrapForming = m.FormingNode;
        });
        Receive<BootstrapForms>(_ =>
        {
            if (_joinStarted || _refused) return;
            _log.Info("cluster: no contact point is in a cluster yet; {0}, the lowest contact point, forms the cluster", _self);
            _joinStarted = true;
            Timers.Cancel("join");
        });
        Receive<BootstrapFailed>(m =>
        {
            var reason = $"cluster bootstrap could not start: {m.Reason} (actors.cluster.bootstrap.management-port = {_config.Bootstrap!.ManagementPort} " +
                         $"on {_config.Hostname}{(_settings.SourceFile is { } file ? $" in {file}" : "")}); nothing of the cluster can be joined";
            _log.Error("cluster: {0}", reason);
            _outcome?.End(new NodeExit(ExitCodes.Failure, reason));
        });
    }

    /// <summary>Bootstrap mode at start: the bootstrap joins; this actor only logs, until then, whom it waits for.</summary>
    private void StartBootstrapWaiting()
    {
        var b = _config.Bootstrap!;
        var own = $"{_config.Hostname}:{b.ManagementPort}";
        _bootstrapUnanswered = b.ContactPoints.Select(p => p.ToString()).Where(p => p != own).ToList();
        _log.Info("cluster: joining through bootstrap: contact points {0}, this node's management endpoint {1}; roles [{2}]",
            string.Join(", ", b.ContactPoints), own, string.Join(", ", _config.Roles));
        Timers.StartPeriodicTimer("join", new TryJoin(), JoinRetry);
    }

    private void BootstrapWaitingRound()
    {
        if (_rounds < 2 || DateTime.UtcNow - _lastWaitingLog < WaitingLogEvery) return;
        _lastWaitingLog = DateTime.UtcNow;
        var waited = (DateTime.UtcNow - _waitingSince).TotalSeconds;
        if (_bootstrapUnanswered.Count > 0)
            _log.Warning("cluster: not joined yet: waiting for contact point(s) {0} to answer (for {1:0}s); this node's own processes keep running",
                string.Join(", ", _bootstrapUnanswered), waited);
        else
            _log.Warning("cluster: not joined yet: every contact point answers and none is in a cluster; waiting for {0} (for {1:0}s); " +
                         "this node's own processes keep running",
                _bootstrapForming is { } forming ? $"{forming}, the lowest contact point, to form it" : "their answers to stay the same for stable-margin, then this node forms it", waited);
    }

    /// <summary>What <c>actors members</c> says this node waits for.</summary>
    private IReadOnlyList<string> BootstrapWaitingFor() =>
        _bootstrapUnanswered.Count > 0 ? _bootstrapUnanswered : _bootstrapForming is { } forming ? [forming] : [];

    private void OnBootstrapCheck(BootstrapCheck m)
    {
        if (_refused)
        {
            Sender.Tell(new BootstrapChecked(false));
            return;
        }
        // Agreed earlier (an answer that came after the decider stopped waiting): nothing to ask again.
        if (_joinStarted)
        {
            Sender.Tell(new BootstrapChecked(true));
            return;
        }
        _bootstrapAsker = Sender;
        _bootstrapUnanswered = [];
        _bootstrapForming = null;
        foreach (var member in m.Members)
            Context.ActorSelection(new RootActorPath(member) / "user" / ClusterNode.Name).Tell(new CheckDeclarations(_declarationsJson, _self));
    }
}
