using System.Text.Json;
using Akka.Configuration.Hocon;

namespace Actors.Configuration;

/// <summary>
/// The declarations of the processes a cluster places (placement other than local), as the file writes them: each
/// process's keys over the user's actors.defaults, flattened to <c>key.path = value</c>. Every node of a cluster reads
/// the same file for these; two nodes whose declarations differ would run different programs under one name, so a
/// node that differs is refused, with the difference (<see cref="Differences"/>). Node-local keys (where the log
/// goes) are left out: each node has its own log-dir.
/// </summary>
public sealed class ClusterDeclarations
{
    public static readonly ClusterDeclarations Empty = new(new SortedDictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal));

    private static readonly HashSet<string> NodeLocal = ["log.file"];

    private readonly SortedDictionary<string, SortedDictionary<string, string>> _processes;

    // actors.cluster keys every member must agree on: the split brain resolver's strategy and its lease. Members that
    // decide a partition differently (one keeps the majority, the other whichever side takes a lease) can both stay up.
    private readonly SortedDictionary<string, string> _cluster;

    private ClusterDeclarations(SortedDictionary<string, SortedDictionary<string, string>> processes, SortedDictionary<string, string>? cluster = null)
    {
        _processes = processes;
        _cluster = cluster ?? new SortedDictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>
    /// These declarations with the split brain resolver's settings that every member must share: the strategy, and
    /// for lease-majority the lease's name and class (not its folder or assembly path, which may differ per machine).
    /// </summary>
    public ClusterDeclarations WithSplitBrain(ClusterSettings cluster)
    {
        var keys = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["split-brain-resolver"] = cluster.SplitBrainResolver switch
            {
                SplitBrainStrategy.KeepOldest => "keep-oldest",
                SplitBrainStrategy.LeaseMajority => "lease-majority",
                _ => "keep-majority",
            },
        };
        if (cluster.Lease is { } lease)
        {
            keys["lease.name"] = lease.Lease.Name;
            keys["lease.class"] = lease.Lease.Class ?? "(the file lease)";
        }
        return new ClusterDeclarations(_processes, keys);
    }

    /// <summary>The names of the declared cluster-placed processes.</summary>
    public IEnumerable<string> Names => _processes.Keys;

    internal static ClusterDeclarations Build(IEnumerable<(string Name, HoconObject Process)> placed, HoconObject? userDefaults)
    {
        var defaults = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (userDefaults is not null) Flatten(userDefaults, "", defaults);
        var processes = new SortedDictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (name, process) in placed)
        {
            var keys = new SortedDictionary<string, string>(defaults, StringComparer.Ordinal);
            Flatten(process, "", keys);
            foreach (var key in NodeLocal) keys.Remove(key);
            processes[name] = keys;
        }
        return new ClusterDeclarations(processes);
    }

    private static void Flatten(HoconObject obj, string prefix, SortedDictionary<string, string> into)
    {
        foreach (var (key, value) in obj.Items)
        {
            var path = prefix + key;
            if (value.IsObject())
            {
                // An object replaces nothing it does not name (HOCON merges objects), except an earlier scalar.
                into.Remove(path);
                Flatten(value.GetObject(), path + ".", into);
            }
            else
            {
                foreach (var stale in into.Keys.Where(k => k.StartsWith(path + ".", StringComparison.Ordinal)).ToList()) into.Remove(stale);
                into[path] = Render(value);
            }
        }
    }

    private static string Render(HoconValue value)
    {
        if (LayeredReader.IsList(value))
            return "[" + string.Join(", ", value.Values.OfType<HoconArray>().SelectMany(a => a).Select(Render)) + "]";
        if (value.IsObject()) return "{...}";
        return JsonSerializer.Serialize(value.GetString() ?? "");
    }

    private sealed record Wire(Dictionary<string, Dictionary<string, string>>? Processes, Dictionary<string, string>? Cluster);

    /// <summary>For the wire: the other nodes compare with it.</summary>
    public string ToJson() => JsonSerializer.Serialize(new Wire(
        _processes.ToDictionary(kv => kv.Key, kv => new Dictionary<string, string>(kv.Value)), new Dictionary<string, string>(_cluster)));

    // Read as Dictionary (then sorted): the trimmed published node keeps Dictionary's parameterless constructor, which the
    // reflection-based reader needs, but not SortedDictionary's, which nothing else calls.
    public static ClusterDeclarations FromJson(string json)
    {
        var wire = JsonSerializer.Deserialize<Wire>(json);
        var processes = new SortedDictionary<string, SortedDictionary<string, string>>(
            (wire?.Processes ?? []).ToDictionary(kv => kv.Key, kv => new SortedDictionary<string, string>(kv.Value, StringComparer.Ordinal)), StringComparer.Ordinal);
        return new ClusterDeclarations(processes, new SortedDictionary<string, string>(wire?.Cluster ?? [], StringComparer.Ordinal));
    }

    /// <summary>
    /// Every difference between this node's declarations and <paramref name="other"/>'s (named <paramref name="otherName"/>),
    /// one line each, e.g. <c>actors.processes.db.command: "/usr/bin/pg" here, "/opt/pg" on 10.0.0.5:4053</c>. Empty when alike.
    /// </summary>
    public IReadOnlyList<string> Differences(ClusterDeclarations other, string otherName)
    {
        var lines = new List<string>();
        foreach (var key in _cluster.Keys.Union(other._cluster.Keys).Order(StringComparer.Ordinal))
        {
            var a = _cluster.GetValueOrDefault(key);
            var b = other._cluster.GetValueOrDefault(key);
            if (a != b)
                lines.Add($"actors.cluster.{key}: {a ?? "(not set)"} here, {b ?? "(not set)"} on {otherName} (every member must decide a partition the same way)");
        }
        foreach (var name in _processes.Keys.Union(other._processes.Keys).Order(StringComparer.Ordinal))
        {
            var here = _processes.GetValueOrDefault(name);
            var there = other._processes.GetValueOrDefault(name);
            if (here is null || there is null)
            {
                lines.Add($"actors.processes.{name}: placed by the cluster {(here is null ? $"on {otherName} but not here" : $"here but not on {otherName}")}");
                continue;
            }
            foreach (var key in here.Keys.Union(there.Keys).Order(StringComparer.Ordinal))
            {
                var a = here.GetValueOrDefault(key);
                var b = there.GetValueOrDefault(key);
                if (a != b)
                    lines.Add($"actors.processes.{name}.{key}: {a ?? "(not set)"} here, {b ?? "(not set)"} on {otherName}");
            }
        }
        return lines;
    }
}
