using System.Collections;
using Actors.Configuration;

namespace Actors.Processes;

public static class LaunchSpecs
{
    /// <summary>
    /// The argv and environment for <paramref name="settings"/>: the node's own environment (or, with
    /// <c>inherit-env = off</c>, only PATH), then the <c>env-file</c>s, then the process's <c>env</c> on top (as
    /// systemd and docker compose do), without the service manager's NOTIFY_SOCKET and WATCHDOG_*, plus
    /// <c>ACTORS_PROCESS</c> = its name, <c>ACTORS_REPLICA</c>/<c>ACTORS_REPLICAS</c> = which copy of how many, and <c>ACTORS_NODE</c> = the node's pid and start time (see
    /// <see cref="NodeMarker"/>), which nothing overrides. Built once per declaration, and again at each start of a
    /// process with env files, which are read anew then (an env file that cannot be read refuses the start).
    /// </summary>
    public static LaunchSpec From(ProcessSettings settings)
    {
        // The node's own entries are built once and shared by every process; only overrides are new strings.
        var env = settings.InheritEnv
            ? new Dictionary<string, string>(NodeEnvironment.Value, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = NodeEnvironment.Value.GetValueOrDefault("PATH") ?? $"PATH={DefaultPath}" };
        if (settings.Exec.User is not null)
        {
            // As login and systemd's User= do: the user's own, under what the files and env say.
            env["HOME"] = $"HOME={settings.Exec.Home}";
            env["USER"] = $"USER={settings.Exec.User}";
            env["LOGNAME"] = $"LOGNAME={settings.Exec.User}";
            env["SHELL"] = $"SHELL={settings.Exec.Shell}";
        }
        string? refused = null;
        if (settings.EnvFiles.Files.Count > 0)
        {
            var values = EnvFiles.Read(settings.EnvFiles.Files, EnvFiles.NodeEnvironment(), out var problem);
            if (problem is not null) refused = $"env-file {problem}";
            foreach (var (key, value) in values) env[key] = $"{key}={value}";
        }
        foreach (var (key, value) in settings.Env) env[key] = $"{key}={value}";
        env["ACTORS_PROCESS"] = $"ACTORS_PROCESS={settings.Name}";
        // Which copy this is (replicas), so that copies can pick a port or a shard: 1 of 1 for a single process.
        env["ACTORS_REPLICA"] = $"ACTORS_REPLICA={settings.Replica?.Index ?? 1}";
        env["ACTORS_REPLICAS"] = $"ACTORS_REPLICAS={settings.Replica?.Count ?? 1}";
        env[NodeMarker.Variable] = NodeMarker.OfThisNode;
        var argv = new List<string>(settings.Args.Count + 1) { settings.Command };
        argv.AddRange(settings.Args);
        return new LaunchSpec(settings.Name, settings.Command, argv, settings.WorkingDir, env.Values.ToArray()) 
        {
            Refused = refused,
            ShimOptions = settings.Exec.IsNone ? null : ExecShim.Options(settings.Exec),
        };
    }

    /// <summary>PATH for <c>inherit-env = off</c> when the node has none: systemd's default.</summary>
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

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

    /// <summary>systemd's notify socket: set per run for <c>readiness = notify</c>, never inherited.</summary>
    public const string NotifySocketVariable = "NOTIFY_SOCKET";

    // The service manager's variables belong to the process it started (sd_notify unsets them for that reason):
    // a child that inherited them could tell systemd READY=1 or ping its watchdog in its host's name.
    private static readonly string[] NotInherited = [NotifySocketVariable, "WATCHDOG_USEC", "WATCHDOG_PID"];

    private static readonly Lazy<Dictionary<string, string>> NodeEnvironment = new(() =>
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
            env[(string)entry.Key] = $"{entry.Key}={entry.Value}";
        foreach (var name in NotInherited) env.Remove(name);
        return env;
    });
}
