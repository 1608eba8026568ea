namespace Actors.Configuration;

/// <summary>
/// Compares two declarations of a process field by field, by content. Record equality does not do it:
/// <see cref="ProcessSettings"/> holds lists, dictionaries and sets, which records compare by reference, so two
/// loads of the same file would always look "changed" to a reload.
/// </summary>
public sealed class ProcessSettingsEquality : IEqualityComparer<ProcessSettings>
{
    public static readonly ProcessSettingsEquality Instance = new();

    public bool Equals(ProcessSettings? a, ProcessSettings? b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null) return false;
        return a.Name == b.Name
            && a.Description == b.Description
            && a.Command == b.Command
            && a.Args.SequenceEqual(b.Args)
            && a.Shell == b.Shell
            && a.WorkingDir == b.WorkingDir
            && SameEnv(a.Env, b.Env)
            && a.EnvFiles.SameAs(b.EnvFiles)
            && a.InheritEnv == b.InheritEnv
            && a.Exec == b.Exec
            && a.Restart == b.Restart
            && a.SuccessExitCodes.SetEquals(b.SuccessExitCodes)
            // These are records of scalars and strings: their own equality is by content.
            && a.Backoff == b.Backoff
            && a.StartLimit == b.StartLimit
            && a.Stop == b.Stop
            && a.Log == b.Log
            && a.Lease == b.Lease
            && a.Kind == b.Kind
            && a.TransientExitCodes.SetEquals(b.TransientExitCodes)
            && a.PermanentExitCodes.SetEquals(b.PermanentExitCodes)
            && a.Retry == b.Retry
            && a.Timeouts == b.Timeouts
            // Probe targets compare by content (ExecProbeTarget compares its args).
            && a.Probes == b.Probes
            && a.Readiness == b.Readiness
            && object.Equals(a.ReadyLogLine, b.ReadyLogLine)
            && a.Hooks == b.Hooks
            && a.DependsOn.SequenceEqual(b.DependsOn)
            // The count is left out: a new count (scale, a reload of replicas) starts or stops copies, it does not
            // restart the others (they keep the ACTORS_REPLICAS they started with). Autostart matters only at a start.
            && a.Replica?.Group == b.Replica?.Group
            && a.Replica?.Index == b.Replica?.Index
            && a.Placement == b.Placement;
    }

    public int GetHashCode(ProcessSettings settings) => HashCode.Combine(settings.Name, settings.Command, settings.Args.Count);

    private static bool SameEnv(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
    {
        if (a.Count != b.Count) return false;
        foreach (var (key, value) in a)
            if (!b.TryGetValue(key, out var other) || other != value) return false;
        return true;
    }
}
