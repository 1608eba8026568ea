namespace Actors.Configuration;

/// <summary>
/// Reads <c>actors.cluster.lease</c>, the lease the split brain resolver's lease-majority decides with: the keys of a
/// process's lease block (a file lease on <c>folder</c>, or <c>class</c> with <c>assembly</c> and <c>settings</c>) plus
/// how the resolver uses it. Configured means a folder or a class is set.
/// </summary>
internal static class ClusterLeaseReader
{
    /// <summary>Null when no lease is configured; the keys are checked either way.</summary>
    public static ClusterLeaseSettings? Read(LayeredReader r, PathResolver paths, Diagnostics d)
    {
        var name = r.String("lease.name");
        var folder = r.String("lease.folder");
        var leaseClass = r.String("lease.class");
        var assembly = r.String("lease.assembly");
        var settings = r.MergedObject("lease.settings");
        var interval = r.Duration("lease.heartbeat-interval");
        var ttl = r.Duration("lease.ttl");
        var delay = r.Duration("lease.acquire-delay-for-minority");
        var releaseAfter = r.Duration("lease.release-after");
        var hasClass = leaseClass.Value.Trim().Length > 0;
        var hasFolder = folder.Value.Trim().Length > 0;
        if (!hasClass && !hasFolder)
            return null;

        if (!ConfigNames.IsName(name.Value))
            d.Error(name.Path, $"\"{name.Value}\" is not a valid lease name; use letters, digits, '.', '_' and '-' (it names the lease file)");
        if (d.Positive(interval, "1s") && ttl.Value <= interval.Value)
            d.Error(ttl.IsUser ? ttl.Path : interval.Path,
                $"lease.ttl ({HoconScalars.Format(ttl.Value)}) must be longer than lease.heartbeat-interval ({HoconScalars.Format(interval.Value)}); e.g. ttl = 10 × the interval");
        d.NotNegative(delay, "2s");
        if (hasClass && hasFolder)
            d.Warn(folder.Path, "is not used: lease.class names the lease; remove one of them");
        var assemblyPath = assembly.Value.Trim().Length == 0 ? null : paths.Resolve(assembly.Value);
        if (hasClass) LeaseClass.Check(d, leaseClass, assemblyPath, settings);
        else if (settings.Count > 0)
            d.Warn(settings[0].Path, "lease.settings is for the implementation named by lease.class; the file lease reads none of it");
        var lease = new ProcessLeaseSettings(name.Value, hasClass ? "" : paths.Resolve(folder.Value), interval.Value, ttl.Value)
        {
            DeadMan = false,
            Class = hasClass ? leaseClass.Value.Trim() : null,
            Assembly = hasClass ? assemblyPath : null,
            Settings = hasClass ? LeaseClass.RenderSettings(settings.Select(s => (s.Key, s.Value))) : "",
        };
        return new ClusterLeaseSettings(lease, delay.Value, releaseAfter.Value);
    }

    /// <summary>
    /// The side that took the lease holds it release-after; the other side tries acquire-delay-for-minority after it
    /// decided, and the two sides decide up to a stable-after apart. If the lease were back by then, the minority
    /// would take it too and both sides would stay up.
    /// </summary>
    public static void CheckAgainst(ClusterLeaseSettings lease, Read<TimeSpan> stableAfter, LayeredReader r, Diagnostics d)
    {
        var least = lease.AcquireDelayForMinority + stableAfter.Value;
        if (lease.ReleaseAfter < least)
            d.Error(r.TopPath("lease.release-after"),
                $"{HoconScalars.Format(lease.ReleaseAfter)} is shorter than lease.acquire-delay-for-minority + stable-after ({HoconScalars.Format(least)}): " +
                "the side that took the lease could give it back before the other side tries, and both sides would stay up; " +
                $"use {HoconScalars.Format(least)} or more (the default is 40s)");
    }
}
