using Actors.Configuration;

namespace Actors.Supervision;

/// <summary>
/// Replicas at run time, decided on settings alone: what the declared processes become after
/// <c>actors scale NAME COUNT</c>, and after a reload whose file may or may not have changed <c>replicas</c>. A scale
/// lasts until the node restarts or a reload changes <c>replicas</c> in the file, so the planner remembers the
/// counts of the file last read. The root supervisor applies the plans (<c>NodeSupervisorActor.Reload.cs</c>).
/// </summary>
internal sealed class ReplicaPlanner
{
    // The replicas each declared name has in the configuration file last read: a reload applies a count only when
    // the file's changed, so a reload of an unrelated edit keeps a scaled count.
    private readonly Dictionary<string, int> _fileReplicas = new(StringComparer.Ordinal);

    /// <summary>The counts of the file just read (at boot, and by <see cref="Rebase"/>).</summary>
    public void RememberFile(IReadOnlyList<ProcessSettings> processes)
    {
        _fileReplicas.Clear();
        foreach (var process in processes) _fileReplicas.TryAdd(process.Group, process.Replica?.Count ?? 1);
    }

    /// <summary>
    /// The processes after scaling <paramref name="scale"/>, in declaration order (the group's copies where its
    /// copies are now), or the answer to give instead when there is nothing to apply (refused, unknown, or already
    /// at that count).
    /// </summary>
    public (List<ProcessSettings>? Wanted, object? Answer) PlanScale(NodeSupervisor.Scale scale, IReadOnlyList<ProcessSettings> current)
    {
        var members = current.Where(p => p.Group == scale.Name).ToList();
        if (members.Count == 0)
        {
            return (null, current.FirstOrDefault(p => p.Name == scale.Name) is { } replica
                ? new NodeSupervisor.ScaleRefused(scale.Name,
                    $"{scale.Name} is one replica of {replica.Group}; scale {replica.Group} instead ('actors scale {replica.Group} COUNT')")
                : new NodeSupervisor.UnknownProcesses([scale.Name], KnownNames(current)));
        }
        var why = scale.Count < 1
            ? $"a count of {scale.Count} would leave {scale.Name} no copy; to stop every replica of it, use 'actors stop {scale.Name}'"
            : scale.Count > Replicas.Max
                ? $"{scale.Count} copies are more than the {Replicas.Max} one process may have"
                : Replicas.WhyNotScalable(members[0]);
        if (why is not null) return (null, new NodeSupervisor.ScaleRefused(scale.Name, why));
        if (scale.Count == members.Count) return (null, new NodeSupervisor.Scaled(scale.Name, members.Count, scale.Count, [], []));
        var names = members.Select(m => m.Name).ToHashSet();
        // A scale is the operator's: the copies it adds start, even when the declaration has autostart = off.
        var copies = Replicas.Rescale(members[0], members, scale.Count)
            .Select(c => names.Contains(c.Name) ? c : c with { Autostart = true });
        return (WithGroup(current, scale.Name, copies), null);
    }

    /// <summary>
    /// A reload's processes with each declared name that runs now kept at its current count and naming, unless
    /// the file's <c>replicas</c> changed since the file before (then that count, like a scale). Copies are never
    /// renamed: a group named plain or with a padding keeps it.
    /// </summary>
    public List<ProcessSettings> Rebase(IReadOnlyList<ProcessSettings> fromFile, IReadOnlyList<ProcessSettings> running)
    {
        var result = new List<ProcessSettings>(fromFile.Count);
        var before = new Dictionary<string, int>(_fileReplicas);
        RememberFile(fromFile);
        foreach (var group in fromFile.GroupBy(p => p.Group))
        {
            var template = group.First();
            var fileCount = template.Replica?.Count ?? 1;
            var current = running.Where(p => p.Group == group.Key).ToList();
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

    /// <summary>Every name the node answers to: each declared name, followed by its replicas' names when it has several.</summary>
    public static List<string> KnownNames(IEnumerable<ProcessSettings> processes)
    {
        var known = new List<string>();
        foreach (var process in processes)
        {
            if (process.Group != process.Name && !known.Contains(process.Group)) known.Add(process.Group);
            known.Add(process.Name);
        }
        return known;
    }

    /// <summary>The current processes in order, with the copies of <paramref name="group"/> replaced by <paramref name="copies"/>.</summary>
    private static List<ProcessSettings> WithGroup(IReadOnlyList<ProcessSettings> current, string group, IEnumerable<ProcessSettings> copies)
    {
        var result = new List<ProcessSettings>();
        var placed = false;
        foreach (var process in current)
        {
            if (process.Group != group)
                result.Add(process);
            else if (!placed)
            {
                result.AddRange(copies);
                placed = true;
            }
        }
        return result;
    }
}
