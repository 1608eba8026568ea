using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using Actors.Node.Control;
using Actors.Supervision;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Node.Cluster;

/// <summary>
/// start, stop and restart of a process another node runs: the node the user asked finds in the fleet view which
/// nodes run it, and sends each a <see cref="RunCommand"/> by actor message (no second socket); the node that runs it
/// does what its own control API would and answers with the results.
/// </summary>
internal sealed partial class ClusterNodeActor
{
    /// <summary>A remote command waits for its stop timeouts; this only bounds an answer lost with its node.</summary>
    internal static readonly TimeSpan RemoteCommandTimeout = TimeSpan.FromMinutes(10);

    private void CommandReceives()
    {
        Receive<ClusterNode.RouteCommand>(OnRouteCommand);
        Receive<RunCommand>(OnRunCommand);
    }

    private void OnRouteCommand(ClusterNode.RouteCommand m)
    {
        if (m.Everywhere)
        {
            OnRouteEverywhere(m);
            return;
        }
        // Who runs what, from what each node published (a stopped process is still listed by its node).
        var runners = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var known = new SortedSet<string>(StringComparer.Ordinal);
        var unknown = new List<string>();
        var members = new Dictionary<string, Akka.Actor.Address>(StringComparer.Ordinal);
        foreach (var (member, key) in _subscribed)
        {
            var node = NodeName(member.Address);
            members[node] = member.Address;
            if (!_published.TryGetValue(key.Id, out var entry)) continue;
            foreach (var (name, group) in FleetJson.Names(entry.Json))
            {
                known.Add(group);
                foreach (var asked in m.Names.Where(asked => asked == name || asked == group))
                {
                    if (!runners.TryGetValue(node, out var names)) runners[node] = names = [];
                    if (!names.Contains(asked)) names.Add(asked);
                }
            }
        }
        foreach (var name in m.Names)
            if (!runners.Values.Any(names => names.Contains(name))) unknown.Add(name);
        if (runners.Count == 0)
        {
            Sender.Tell(new ClusterNode.Routed([], unknown, known.ToList()));
            return;
        }
        var asks = runners.Select(kv =>
        {
            var selection = Context.ActorSelection(new RootActorPath(members[kv.Key]) / "user" / ClusterNode.Name);
            return selection.Ask<CommandResults>(new RunCommand(kv.Value, m.Verb), RemoteCommandTimeout)
                .ContinueWith(t => t.IsCompletedSuccessfully
                    ? t.Result
                    : new CommandResults(kv.Key, kv.Value.Select(n => new ClusterNode.CommandResult(n, kv.Key, false,
                        $"{kv.Key} did not answer ({t.Exception?.GetBaseException().Message ?? "cancelled"})", null)).ToList()),
                    TaskScheduler.Default);
        }).ToList();
        Task.WhenAll(asks).ContinueWith(t => (object)new ClusterNode.Routed(t.Result.SelectMany(r => r.Results).ToList(), unknown, known.ToList()),
            TaskScheduler.Default).PipeTo(Sender);
    }

    /// <summary>
    /// A singleton's start, stop or restart: to every member that published it and to this node (every node declares
    /// it; the holder of its lease runs it, the others wait). A stop goes to the nodes that do not run it first and
    /// only then to the one that does: the lease it gives back must find no copy still trying for it.
    /// </summary>
    private void OnRouteEverywhere(ClusterNode.RouteCommand m)
    {
        var nodes = new Dictionary<string, Akka.Actor.Address>(StringComparer.Ordinal);
        if (m.IncludeSelf) nodes[_self] = _cluster.SelfAddress;
        var running = new HashSet<string>(StringComparer.Ordinal);
        void Look(string node, string? json)
        {
            if (json is null) return;
            var states = FleetJson.States(json);
            if (m.Names.Any(n => states.TryGetValue(n, out var s) && s is "starting" or "running" or "ready" or "stopping")) running.Add(node);
        }
        if (m.IncludeSelf) Look(_self, _lastJson);
        foreach (var (member, key) in _subscribed)
        {
            if (!_published.TryGetValue(key.Id, out var entry)) continue;
            var names = FleetJson.Names(entry.Json).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            if (!m.Names.Any(names.Contains)) continue;
            var node = NodeName(member.Address);
            nodes[node] = member.Address;
            Look(node, entry.Json);
        }
        // A singleton placed by a role this node lacks, and no node of the role has published it (yet): say so.
        if (nodes.Count == 0)
        {
            Sender.Tell(new ClusterNode.Routed(m.Names.Select(n => new ClusterNode.CommandResult(n, _self, false,
                $"no node of the cluster runs {n} (none that declares it has published its status yet)", null)).ToList(), [], []));
            return;
        }
        // Made here, in the actor's context: the second wave of a stop asks from a continuation, where there is none.
        var selections = nodes.ToDictionary(kv => kv.Key, kv => Context.ActorSelection(new RootActorPath(kv.Value) / "user" / ClusterNode.Name), StringComparer.Ordinal);
        Task<CommandResults[]> AskAll(IEnumerable<string> which) => Task.WhenAll(which.Select(node =>
            selections[node]
                .Ask<CommandResults>(new RunCommand(m.Names, m.Verb), RemoteCommandTimeout)
                .ContinueWith(t => t.IsCompletedSuccessfully
                    ? t.Result
                    : new CommandResults(node, m.Names.Select(n => new ClusterNode.CommandResult(n, node, false,
                        $"{node} did not answer ({t.Exception?.GetBaseException().Message ?? "cancelled"})", null)).ToList()),
                    TaskScheduler.Default)).ToList());
        Task<CommandResults[]> all;
        if (m.Verb == "stop")
        {
            var holders = nodes.Keys.Where(running.Contains).ToList();
            var waiting = nodes.Keys.Where(n => !running.Contains(n)).ToList();
            all = AskAll(waiting).ContinueWith(first => AskAll(holders).ContinueWith(second => first.Result.Concat(second.Result).ToArray(),
                TaskScheduler.Default), TaskScheduler.Default).Unwrap();
        }
        else all = AskAll(nodes.Keys);
        all.ContinueWith(t => (object)new ClusterNode.Routed(t.Result.SelectMany(r => r.Results).ToList(), [], []), TaskScheduler.Default).PipeTo(Sender);
    }

    /// <summary>Another node's user asked for one of this node's processes: do it as the local control API would.</summary>
    private void OnRunCommand(RunCommand m)
    {
        IProcessCommand command = m.Verb switch
        {
            "start" => new StartProcess(),
            "stop" => new StopProcess(Persist: true),
            _ => new RestartProcess(),
        };
        var self = _self;
        _log.Info("cluster: {0} of [{1}] asked through {2}", m.Verb, string.Join(", ", m.Names),
            Sender.Path.Address.HasGlobalScope ? NodeName(Sender.Path.Address) : "this node");
        _root.Ask(new NodeSupervisor.ToProcesses(m.Names, command), RemoteCommandTimeout).ContinueWith(t =>
        {
            if (!t.IsCompletedSuccessfully)
                return new CommandResults(self, m.Names.Select(n => new ClusterNode.CommandResult(n, self, false, $"no answer on {self}", null)).ToList());
            if (t.Result is NodeSupervisor.UnknownProcesses unknown)
                return new CommandResults(self, unknown.Unknown.Select(n => new ClusterNode.CommandResult(n, self, false, $"no process named {n} on {self}", null)).ToList());
            var now = DateTimeOffset.UtcNow;
            return new CommandResults(self, ((NodeSupervisor.ProcessReplies)t.Result).Replies.Select(r => Result(r, self, now)).ToList());
        }, TaskScheduler.Default).PipeTo(Sender);
    }

    private static ClusterNode.CommandResult Result(IProcessReply reply, string node, DateTimeOffset now)
    {
        switch (reply)
        {
            case ProcessStatus status:
                var ok = status.State is ProcessState.Running or ProcessState.Ready or ProcessState.Completed or ProcessState.Waiting;
                var message = ok && status.Pid is { } pid ? $"{status.State.ToDisplay()} (pid {pid}) on {node}" : $"{status.State.ToDisplay()} on {node}: {status.Reason}";
                return new ClusterNode.CommandResult(status.Name, node, ok, message, StatusText(status, now));
            case ProcessStopped stopped:
                return new ClusterNode.CommandResult(stopped.Name, node, true, $"stopped on {node}", null);
            case CommandRefused refused:
                return new ClusterNode.CommandResult(refused.Name, node, false, $"{refused.Reason} (on {node})", null);
            default:
                return new ClusterNode.CommandResult("?", node, false, $"unexpected answer {reply.GetType().Name} from {node}", null);
        }
    }

    private static string StatusText(ProcessStatus status, DateTimeOffset now)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) StatusJson.WriteProcess(w, status, now);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
