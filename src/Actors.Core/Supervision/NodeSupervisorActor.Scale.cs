using Akka.Actor;
using Actors.Configuration;
using Actors.Processes;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>
/// Replicas at run time: <c>actors scale NAME COUNT</c>, and a reload whose file changed <c>replicas</c>, which
/// behaves the same way. Both go through the reload queue (<c>NodeSupervisorActor.Reload.cs</c>), so a scale and a
/// reload never interleave. A scale lasts until the node restarts or a reload changes <c>replicas</c> in the file.
/// </summary>
internal sealed partial class NodeSupervisorActor
{
    private void ReceiveScale()
    {
        Receive<NodeSupervisor.Scale>(m =>
        {
            if (ShuttingDown)
            {
                Sender.Tell(new NodeSupervisor.ScaleRefused(m.Name, "the node is shutting down; nothing scaled"));
                return;
            }
            _reloads.Enqueue((m, Sender));
            if (_reload is null) BeginNextReload();
        });
    }

    private void RememberFileReplicas(IReadOnlyList<ProcessSettings> processes)
    {
        _fileReplicas.Clear();
        foreach (var process in processes) _fileReplicas.TryAdd(process.Group, process.Replica?.Count ?? 1);
    }

    /// <summary>
    /// The processes after the scale, in declaration order (the group's copies where its copies are now); null when
    /// there is nothing to do, after answering (refused, unknown, or already at that count).
    /// </summary>
    private List<ProcessSettings>? PlanScale(NodeSupervisor.Scale scale, IActorRef replyTo)
    {
        var members = _processes.Where(c => c.Settings.Group == scale.Name).Select(c => c.Settings).ToList();
        if (members.Count == 0)
        {
            if (_processes.Find(c => c.Name == scale.Name) is { } replica)
                replyTo.Tell(new NodeSupervisor.ScaleRefused(scale.Name,
                    $"{scale.Name} is one replica of {replica.Settings.Group}; scale {replica.Settings.Group} instead ('actors scale {replica.Settings.Group} COUNT')"));
            else
                replyTo.Tell(new NodeSupervisor.UnknownProcesses([scale.Name], KnownNames()));
            return null;
        }
        var why = scale.Count < 1
            ? $"a count of {scale.Count} would leave {scale.Name} no copy; to stop every replica of it, use 'actors stop {scale.Name}'"
            : scale.Count > Replicas.Max
                ? $"{scale.Count} copies are more than the {Replicas.Max} one process may have"
                : Replicas.WhyNotScalable(members[0]);
        if (why is not null)
        {
            replyTo.Tell(new NodeSupervisor.ScaleRefused(scale.Name, why));
            return null;
        }
        if (scale.Count == members.Count)
        {
            replyTo.Tell(new NodeSupervisor.Scaled(scale.Name, members.Count, scale.Count, [], []));
            return null;
        }
        var current = members.Select(m => m.Name).ToHashSet();
        // A scale is the operator's: the copies it adds start, even when the declaration has autostart = off.
        var copies = Replicas.Rescale(members[0], members, scale.Count)
            .Select(c => current.Contains(c.Name) ? c : c with { Autostart = true });
        return WithGroup(scale.Name, copies);
    }

    /// <summary>
    /// A reload's processes with each declared name that runs now kept at its current count and naming, unless
    /// the file's <c>replicas</c> changed since the file before (then that count, like a scale). Copies are never
    /// renamed: a group named plain or with a padding keeps it.
    /// </summary>
    private List<ProcessSettings> Rebase(IReadOnlyList<ProcessSettings> fromFile)
    {
        var result = new List<ProcessSettings>(fromFile.Count);
        var before = new Dictionary<string, int>(_fileReplicas);
        RememberFileReplicas(fromFile);
        foreach (var group in fromFile.GroupBy(p => p.Group))
        {
            var template = group.First();
            var fileCount = template.Replica?.Count ?? 1;
            var current = _processes.Where(c => c.Settings.Group == group.Key).Select(c => c.Settings).ToList();
            if (current.Count == 0)
            {
                result.AddRange(group);
                continue;
            }
            var count = before.TryGetValue(group.Key, out var was) && was == fileCount ? current.Count : fileCount;
            if (count == fileCount && group.Select(p => p.Name).SequenceEqual(current.Select(p => p.Name)))
            {
                // The copies the file names are the ones running: take them as the file says.
                result.AddRange(group);
                continue;
            }
            // One that can no longer have copies (now a job, or with a log.file of its own) takes the file's count.
            if (count != fileCount && Replicas.WhyNotScalable(template) is not null) count = fileCount;
            result.AddRange(Replicas.Rescale(template, current, count));
        }
        return result;
    }

    /// <summary>The current processes in order, with the copies of <paramref name="group"/> replaced by <paramref name="copies"/>.</summary>
    private List<ProcessSettings> WithGroup(string group, IEnumerable<ProcessSettings> copies)
    {
        var result = new List<ProcessSettings>();
        var placed = false;
        foreach (var child in _processes)
        {
            if (child.Settings.Group != group)
                result.Add(child.Settings);
            else if (!placed)
            {
                result.AddRange(copies);
                placed = true;
            }
        }
        return result;
    }

    /// <summary>
    /// A scale down: the copies stop one after another, in the order given (highest-numbered first); each
    /// supervisor goes once its copy has stopped. Runs outside the actor (only actor refs and settings are used).
    /// </summary>
    private static async Task StopOneAfterAnother(IReadOnlyList<Child> children, int count, IActorRef self)
    {
        foreach (var child in children)
        {
            var timeout = child.Settings.Stop.Timeout + ProcessRunner.KillGrace + SettleTimeout;
            try
            {
                await child.Ref.Ask<ProcessStopped>(new StopProcess($"scaled down to {count}"), timeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                // No answer in time: stopping its supervisor stops its run all the same.
            }
            self.Tell(new RemovedStopped(child.Ref));
        }
    }
}
