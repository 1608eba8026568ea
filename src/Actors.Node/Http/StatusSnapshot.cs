using System.Diagnostics;
using Akka.Actor;
using Actors.Node.Control;
using Actors.Supervision;

namespace Actors.Node.Http;

/// <summary>
/// The status that metrics and the dashboard read: at most one round of status questions to the supervisors per
/// <see cref="MaxAge"/>, however many scrapers and browsers poll, and concurrent readers share the round in
/// flight. The supervisors answer from memory and never wait for a reader, so no reader can hold up supervision.
/// </summary>
internal sealed class StatusSnapshot(Func<IActorRef> root)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private Task<NodeSupervisor.NodeStatus>? _current;
    private long _askedAt;

    public Task<NodeSupervisor.NodeStatus> GetAsync()
    {
        lock (_gate)
        {
            var fresh = _current is { } t && (!t.IsCompleted || (t.IsCompletedSuccessfully && Stopwatch.GetElapsedTime(_askedAt) < MaxAge));
            if (!fresh)
            {
                _askedAt = Stopwatch.GetTimestamp();
                _current = root().Ask<NodeSupervisor.NodeStatus>(new NodeSupervisor.GetNodeStatus(), ControlApi.QueryTimeout);
            }
            return _current!;
        }
    }

    /// <summary>The named processes of the snapshot (all for null), or the names that are not declared: what <see cref="NodeSupervisor.GetNodeStatus"/> answers.</summary>
    public async Task<object> SelectAsync(IReadOnlyList<string>? names)
    {
        var all = await GetAsync();
        if (names is null || names.Count == 0) return all;
        // A declared name means every replica of it, as on the unix socket.
        var unknown = names.Where(n => all.Processes.All(p => p.Name != n && p.Replica?.Group != n)).Distinct().ToList();
        if (unknown.Count > 0)
            return new NodeSupervisor.UnknownProcesses(unknown,
                all.Processes.SelectMany(p => p.Replica is { } r && r.Group != p.Name ? [r.Group, p.Name] : new[] { p.Name }).Distinct().ToList());
        return new NodeSupervisor.NodeStatus(all.Processes.Where(p => names.Contains(p.Name) || (p.Replica is { } r && names.Contains(r.Group))).ToList());
    }
}
