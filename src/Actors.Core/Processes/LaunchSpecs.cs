using System.Collections;
using Actors.Configuration;

namespace Actors.Processes;

public static class LaunchSpecs
{
    /// <summary>
    /// The argv and environment for <paramref name="settings"/>: the node's own environment, then the
    /// process's <c>env</c> on top (as systemd and supervisord do), plus <c>ACTORS_PROCESS</c> = its name and
    /// <c>ACTORS_NODE</c> = the node's pid and start time (see <see cref="NodeMarker"/>).
    /// Built once per process, not per start.
    /// </summary>
    public static LaunchSpec From(ProcessSettings settings)
    {
        // The node's own entries are built once and shared by every process; only overrides are new strings.
        var env = new Dictionary<string, string>(NodeEnvironment.Value, StringComparer.Ordinal);
        foreach (var (key, value) in settings.Env) env[key] = $"{key}={value}";
        env["ACTORS_PROCESS"] = $"ACTORS_PROCESS={settings.Name}";
        env[NodeMarker.Variable] = NodeMarker.OfThisNode;
        var argv = new List<string>(settings.Args.Count + 1) { settings.Command };
        argv.AddRange(settings.Args);
        return new LaunchSpec(settings.Name, settings.Command, argv, settings.WorkingDir, env.Values.ToArray());
    }

    /// <summary>
    /// <paramref name="spec"/> with <paramref name="overrides"/> set in its environment (replacing equal names):
    /// for what differs from one run to the next, such as the lease's fencing token.
    /// </summary>
    public static LaunchSpec WithEnvironment(LaunchSpec spec, IReadOnlyDictionary<string, string> overrides)
    {
        if (overrides.Count == 0) return spec;
        var env = spec.Environment.Where(entry => !overrides.ContainsKey(entry[..Math.Max(0, entry.IndexOf('='))])).ToList();
        env.AddRange(overrides.Select(kv => $"{kv.Key}={kv.Value}"));
        return spec with { Environment = env };
    }

    private static readonly Lazy<Dictionary<string, string>> NodeEnvironment = new(() =>
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
            env[(string)entry.Key] = $"{entry.Key}={entry.Value}";
        return env;
    });
}
