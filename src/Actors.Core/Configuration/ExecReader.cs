using System.Globalization;
using Actors.Native;

namespace Actors.Configuration;

internal sealed class ExecReader(LayeredReader r)
{
    private Diagnostics D => r.Diagnostics;

    /// <summary>
    /// <c>user</c>, <c>group</c>, <c>umask</c>, <c>limits</c>, <c>nice</c>, <c>oom-score-adjust</c>: names resolved to ids
    /// through this machine's name service, and what the node could not grant refused now rather than at each start.
    /// Rights are judged by the user that reads the configuration (the node for run and reload).
    /// </summary>
    public ExecSettings Read()
    {
        var user = r.String("user");
        var group = r.String("group");
        var umask = r.Scalar<int?>("umask", TryUmask, "an octal umask", "write 3 or 4 octal digits in quotes, e.g. umask = \"027\"");
        var nice = r.Scalar<int?>("nice", TryOptionalInt, "a whole number", "use -20 (highest priority) .. 19 (lowest), e.g. nice = 5");
        var oom = r.Scalar<int?>("oom-score-adjust", TryOptionalInt, "a whole number", "use -1000 (never killed by the OOM killer) .. 1000 (killed first), e.g. 500");
        var settings = new ExecSettings
        {
            Umask = umask.Value,
            Nofile = ReadLimit("nofile", LibC.RLIMIT_NOFILE, sizes: false),
            Nproc = ReadLimit("nproc", LibC.RLIMIT_NPROC, sizes: false),
            Core = ReadLimit("core", LibC.RLIMIT_CORE, sizes: true),
            Memlock = ReadLimit("memlock", LibC.RLIMIT_MEMLOCK, sizes: true),
            Nice = nice.Value,
            OomScoreAdjust = oom.Value,
        };
        if (nice.Value is { } n)
        {
            if (n is < -20 or > 19)
                D.Error(nice.Path, $"{n} is out of range; use -20 (highest priority) .. 19 (lowest)");
            else if (n < 0 && !Accounts.IsRoot)
                D.Error(nice.Path, $"{n} needs a node running as root (a higher priority than the node's own); use 0 .. 19, or run the node as root");
        }
        if (oom.Value is { } o)
        {
            if (o is < -1000 or > 1000)
                D.Error(oom.Path, $"{o} is out of range; use -1000 .. 1000");
            else if (!Accounts.IsRoot && o < OwnOomScoreAdjust())
                D.Error(oom.Path, $"{o} is below the node's own oom-score-adjust ({OwnOomScoreAdjust()}), which only a node running as root may go; use {OwnOomScoreAdjust()} .. 1000");
        }
        settings = ReadUser(settings, user);
        return ReadGroup(settings, group);
    }

    private ExecSettings ReadUser(ExecSettings settings, Read<string> user)
    {
        if (user.Value.Length == 0) return settings;
        if (Accounts.FindUser(user.Value) is not { } found)
        {
            D.Error(user.Path, $"there is no user \"{user.Value}\" on this machine (getent passwd {user.Value} finds none); create it, or name an existing user");
            return settings;
        }
        if (!Accounts.IsRoot && found.Uid != Accounts.Uid)
            D.Error(user.Path, $"the node does not run as root (uid {Accounts.Uid}), so it can run processes only as itself, not as {found.Name} (uid {found.Uid}); remove user, or run the node as root");
        var groups = string.Join(",", Accounts.GroupsOf(found.Name, found.Gid).Distinct());
        return settings with
        {
            User = found.Name, Uid = found.Uid, Gid = found.Gid, SupplementaryGroups = groups, Home = found.Home, Shell = found.Shell,
            Group = Accounts.FindGroup(found.Gid.ToString(CultureInfo.InvariantCulture))?.Name ?? found.Gid.ToString(CultureInfo.InvariantCulture),
        };
    }

    private ExecSettings ReadGroup(ExecSettings settings, Read<string> group)
    {
        if (group.Value.Length == 0) return settings;
        if (Accounts.FindGroup(group.Value) is not { } found)
        {
            D.Error(group.Path, $"there is no group \"{group.Value}\" on this machine (getent group {group.Value} finds none); create it, or name an existing group");
            return settings;
        }
        if (!Accounts.IsRoot && found.Gid != Accounts.Gid && !Accounts.OwnGroups().Contains(found.Gid))
            D.Error(group.Path, $"the node does not run as root and is not in group {found.Name} (gid {found.Gid}); remove group, or run the node as root");
        // With user, the user's supplementary groups stay (as systemd's Group=); without, the node's own stay.
        return settings with { Group = found.Name, Gid = found.Gid };
    }

    private ResourceLimit? ReadLimit(string name, int resource, bool sizes)
    {
        var key = $"limits.{name}";
        var hint = sizes
            ? $"use a size, \"SOFT:HARD\" or infinity, e.g. {name} = 64MiB or {name} = \"0:infinity\""
            : $"use a count, \"SOFT:HARD\" or infinity, e.g. {name} = 65536 or {name} = \"1024:65536\"";
        var read = r.Scalar<ResourceLimit?>(key, (string text, out ResourceLimit? value) => TryLimit(text, sizes, out value), "a limit", hint);
        if (read.Value is not { } limit) return null;
        if (limit.Soft > limit.Hard)
        {
            D.Error(read.Path, $"the soft limit {ResourceLimit.Format(limit.Soft)} is above the hard limit {ResourceLimit.Format(limit.Hard)}; write \"SOFT:HARD\" with SOFT <= HARD");
            return limit;
        }
        var (_, ownHard) = Accounts.Limit(resource);
        if (!Accounts.IsRoot && limit.Hard > ownHard)
            D.Error(read.Path, $"the hard limit {ResourceLimit.Format(limit.Hard)} is above the node's own ({ResourceLimit.Format(ownHard)}), which only a node running as root may raise; use at most {ResourceLimit.Format(ownHard)}");
        else if (resource == LibC.RLIMIT_NOFILE && NrOpen() is { } nrOpen && limit.Hard > nrOpen)
            D.Error(read.Path, $"{ResourceLimit.Format(limit.Hard)} is above this machine's most open files per process (/proc/sys/fs/nr_open = {nrOpen}); use at most {nrOpen}");
        return limit;
    }

    private static bool TryLimit(string text, bool sizes, out ResourceLimit? value)
    {
        value = null;
        text = text.Trim();
        if (text.Length == 0) return true;
        var parts = text.Split(':');
        if (parts.Length > 2) return false;
        if (!TryLimitValue(parts[0], sizes, out var soft)) return false;
        var hard = soft;
        if (parts.Length == 2 && !TryLimitValue(parts[1], sizes, out hard)) return false;
        value = new ResourceLimit(soft, hard);
        return true;
    }

    private static bool TryLimitValue(string text, bool sizes, out ulong value)
    {
        text = text.Trim();
        value = ResourceLimit.Infinity;
        if (text is "infinity" or "unlimited") return true;
        if (sizes)
        {
            if (!HoconScalars.TrySize(text, out var bytes) || bytes < 0) return false;
            value = (ulong)bytes;
            return true;
        }
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value != ResourceLimit.Infinity;
    }

    private static bool TryUmask(string text, out int? value)
    {
        value = null;
        text = text.Trim();
        if (text.Length == 0) return true;
        if (text.Length > 4 || !text.All(c => c is >= '0' and <= '7')) return false;
        var mask = Convert.ToInt32(text, 8);
        if (mask > 0x1FF) return false;
        value = mask;
        return true;
    }

    private static bool TryOptionalInt(string text, out int? value)
    {
        value = null;
        if (text.Trim().Length == 0) return true;
        if (!HoconScalars.TryInt(text, out var v)) return false;
        value = v;
        return true;
    }

    private static int OwnOomScoreAdjust() =>
        int.TryParse(SmallFiles.ReadFile("/proc/self/oom_score_adj")?.Trim(), CultureInfo.InvariantCulture, out var v) ? v : 0;

    private static ulong? NrOpen() =>
        ulong.TryParse(SmallFiles.ReadFile("/proc/sys/fs/nr_open")?.Trim(), CultureInfo.InvariantCulture, out var v) ? v : null;
}
