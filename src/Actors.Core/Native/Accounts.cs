using System.Runtime.InteropServices;
using static Actors.Native.LibC;

namespace Actors.Native;

/// <summary>
/// Users, groups and resource limits of this machine, for <c>user</c>, <c>group</c> and <c>limits</c>: read when the
/// configuration is checked, so the child (the exec shim) gets numbers only and needs no name service.
/// </summary>
internal static unsafe class Accounts
{
    public sealed record User(string Name, uint Uid, uint Gid, string Home, string Shell);

    public sealed record Group(string Name, uint Gid);

    public static bool IsRoot => geteuid() == 0;

    public static uint Uid => geteuid();

    public static uint Gid => getegid();

    /// <summary>The user named (or numbered) <paramref name="nameOrId"/>; null when this machine has none.</summary>
    public static User? FindUser(string nameOrId)
    {
        var buffer = new byte[16384];
        byte* pwd = stackalloc byte[PasswdSize];
        byte* result = null;
        fixed (byte* buf = buffer)
        {
            int rc = uint.TryParse(nameOrId, out var uid)
                ? getpwuid_r(uid, pwd, buf, (nuint)buffer.Length, &result)
                : getpwnam_r(nameOrId, pwd, buf, (nuint)buffer.Length, &result);
            if (rc != 0 || result == null) return null;
            return new User(Text(pwd, PwName), *(uint*)(pwd + PwUid), *(uint*)(pwd + PwGid), Text(pwd, PwDir), Text(pwd, PwShell));
        }
    }

    /// <summary>The group named (or numbered) <paramref name="nameOrId"/>; null when this machine has none.</summary>
    public static Group? FindGroup(string nameOrId)
    {
        var buffer = new byte[65536];
        byte* grp = stackalloc byte[GroupSize];
        byte* result = null;
        fixed (byte* buf = buffer)
        {
            int rc = uint.TryParse(nameOrId, out var gid)
                ? getgrgid_r(gid, grp, buf, (nuint)buffer.Length, &result)
                : getgrnam_r(nameOrId, grp, buf, (nuint)buffer.Length, &result);
            if (rc != 0 || result == null) return null;
            return new Group(Text(grp, GrName), *(uint*)(grp + GrGid));
        }
    }

    /// <summary>Every group <paramref name="user"/> is in (initgroups' list), its primary group <paramref name="gid"/> first.</summary>
    public static uint[] GroupsOf(string user, uint gid)
    {
        int n = 64;
        while (true)
        {
            var groups = new uint[n];
            int count = n;
            fixed (uint* p = groups)
            {
                if (getgrouplist(user, gid, p, &count) >= 0) return groups[..count];
            }
            if (count <= n) n *= 2; else n = count;
            if (n > 65536) return [gid];
        }
    }

    /// <summary>The groups this process is in besides its own gid.</summary>
    public static uint[] OwnGroups()
    {
        var groups = new uint[65536];
        fixed (uint* p = groups)
        {
            var n = getgroups(groups.Length, p);
            return n < 0 ? [] : groups[..n];
        }
    }

    /// <summary>This process's own soft and hard limit of <paramref name="resource"/> (RLIM_INFINITY = unlimited).</summary>
    public static (ulong Soft, ulong Hard) Limit(int resource)
    {
        ulong* rlim = stackalloc ulong[2];
        if (getrlimit(resource, rlim) != 0) return (RLIM_INFINITY, RLIM_INFINITY);
        return (rlim[0], rlim[1]);
    }

    private static string Text(byte* record, int offset) => Marshal.PtrToStringUTF8(*(nint*)(record + offset)) ?? "";
}
