using System.Globalization;

namespace Actors.Configuration;

/// <summary>A soft and a hard resource limit; <see cref="Infinity"/> is unlimited.</summary>
public sealed record ResourceLimit(ulong Soft, ulong Hard)
{
    public const ulong Infinity = ulong.MaxValue;

    public static string Format(ulong value) => value == Infinity ? "infinity" : value.ToString(CultureInfo.InvariantCulture);

    /// <summary>SOFT:HARD, as the exec shim and <c>status</c> take it.</summary>
    public override string ToString() => $"{Format(Soft)}:{Format(Hard)}";
}

/// <summary>
/// Who a process runs as and within what (<c>user</c>, <c>group</c>, <c>umask</c>, <c>limits</c>, <c>nice</c>,
/// <c>oom-score-adjust</c>), resolved to numbers when the configuration is read. Null fields are not set: the process
/// inherits the node's. Any field set makes the start go through the exec shim (see ExecShim).
/// </summary>
public sealed record ExecSettings(
    string? User = null,
    uint? Uid = null,
    string? Group = null,
    uint? Gid = null,
    string? SupplementaryGroups = null,
    string? Home = null,
    string? Shell = null,
    int? Umask = null,
    ResourceLimit? Nofile = null,
    ResourceLimit? Nproc = null,
    ResourceLimit? Core = null,
    ResourceLimit? Memlock = null,
    int? Nice = null,
    int? OomScoreAdjust = null)
{
    public static readonly ExecSettings None = new();

    public bool IsNone => this == None;

    /// <summary>The limits set, by their key name under <c>limits</c>.</summary>
    public IEnumerable<(string Name, ResourceLimit Limit)> Limits()
    {
        if (Nofile is { } nofile) yield return ("nofile", nofile);
        if (Nproc is { } nproc) yield return ("nproc", nproc);
        if (Core is { } core) yield return ("core", core);
        if (Memlock is { } memlock) yield return ("memlock", memlock);
    }

    /// <summary>For people (<c>status NAME</c>): <c>user www-data (uid 33), group www-data (gid 33), umask 027, ...</c>; null when nothing is set.</summary>
    public string? Describe()
    {
        if (IsNone) return null;
        var parts = new List<string>();
        if (User is not null) parts.Add($"user {User} (uid {Uid})");
        if (Group is not null) parts.Add($"group {Group} (gid {Gid})");
        if (Umask is { } umask) parts.Add($"umask {Convert.ToString(umask, 8).PadLeft(3, '0')}");
        parts.AddRange(Limits().Select(l => $"{l.Name} {l.Limit}"));
        if (Nice is { } nice) parts.Add($"nice {nice}");
        if (OomScoreAdjust is { } oom) parts.Add($"oom-score-adjust {oom}");
        return string.Join(", ", parts);
    }
}
