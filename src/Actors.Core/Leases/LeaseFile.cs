using Actors.Native;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using static Actors.Native.LibC;
using static Actors.Native.SmallFiles;

namespace Actors.Leases;

/// <summary>
/// One lease on disk, with no lock anywhere: every holding is its own file, <c>NAME.lease.TOKEN</c>, and the
/// holding with the highest token is the lease. Taking the lease creates the next token's file with link(2),
/// which fails when the name exists, so of any number of nodes racing for token N+1 exactly one wins, and tokens
/// only ever grow. Only the holder of a token ever writes its file (heartbeats, release), always as a new file
/// renamed over the old one, so a reader sees a whole record or none.
/// <para>
/// Why no lock: the previous design changed one file under an flock, and a holder frozen by SIGSTOP (or a
/// debugger, or a cgroup freezer) inside its few-millisecond critical section kept the lock, so no other node could
/// ever take the lease, not even after the TTL that exists for exactly that case. A lease that a frozen holder
/// can keep forever is not a lease.
/// </para>
/// <para>
/// A takeover deletes the holdings older than the one it replaced (the one before stays for diagnostics: who had
/// it, why it was taken). A stale racer could then recreate a deleted, lower token's file; a new holding is
/// therefore only won once a listing shows it is the highest (the highest file is never deleted). A node still
/// running the version that used <c>NAME.lease</c> under <c>NAME.lock</c> is not compatible: upgrade every node
/// sharing a folder together. An existing <c>NAME.lease</c> is read once, so that tokens keep growing across the
/// upgrade.
/// </para>
/// </summary>
internal sealed class LeaseFile(string folder, string name)
{
    private readonly string _prefix = name + ".lease.";

    /// <summary>The folder the lease's files are in.</summary>
    public string Folder => folder;

    /// <summary>The file of the holding with <paramref name="token"/>.</summary>
    public string PathOf(long token) => Path.Combine(folder, _prefix + token.ToString(CultureInfo.InvariantCulture));

    /// <summary>The file the version before per-token files kept the lease in; read only to carry its token on.</summary>
    private string LegacyPath => Path.Combine(folder, name + ".lease");

    /// <summary>
    /// The current holding: its token (0 when the lease was never taken) and record. The record is null when the
    /// lease was never taken or the file does not parse (it then counts as free: <paramref name="corruption"/>
    /// says why).
    /// </summary>
    public (long Token, LeaseRecord? Record) Current(out string? corruption)
    {
        for (var attempt = 0; ; attempt++)
        {
            corruption = null;
            var token = HighestToken();
            if (token == 0) return Legacy(out corruption);
            var text = ReadFile(PathOf(token));
            // Gone between the listing and the read: a newer holding replaced it and swept it. Look again.
            if (text is null && attempt < 3) continue;
            var record = text is null ? null : LeaseRecord.Parse(text);
            if (record is null)
                corruption = $"{PathOf(token)} is corrupt or truncated ({text?.Length ?? 0} bytes); it counts as free";
            // The token is the one in the name: an edited or torn file cannot move the fencing token backwards.
            return (token, record is null ? null : record with { Token = token });
        }
    }

    /// <summary>The highest token in the folder (0 when none); the one cheap check a heartbeat makes.</summary>
    public long HighestToken()
    {
        if (!Directory.Exists(folder)) return 0;
        long highest = 0;
        foreach (var (_, token) in Holdings()) highest = Math.Max(highest, token);
        return highest;
    }

    /// <summary>Every holding file in the folder with its token.</summary>
    private IEnumerable<(string Path, long Token)> Holdings()
    {
        foreach (var path in Directory.EnumerateFiles(folder, _prefix + "*"))
        {
            // The pattern has DOS semantics ("web.lease.*" also matches "web.lease"): the name is checked here.
            var file = Path.GetFileName(path);
            if (file.Length > _prefix.Length && file.StartsWith(_prefix, StringComparison.Ordinal)
                && long.TryParse(file.AsSpan(_prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var token))
                yield return (path, token);
        }
    }

    /// <summary>
    /// Tries to make <paramref name="record"/> the new holding. True only when its token's file was created by this
    /// call and no higher holding exists; false when another node created it first (or a newer one exists).
    /// </summary>
    public bool TryCreate(LeaseRecord record)
    {
        Directory.CreateDirectory(folder);
        var target = PathOf(record.Token);
        var temp = WriteTemp(record);
        try
        {
            if (link(temp, target) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                // On NFS a retried link whose first reply was lost says EEXIST although it worked: then the temp
                // file has two names.
                if (errno == EEXIST && LinkCount(temp) != 2) return false;
                if (errno != EEXIST)
                    throw new IOException($"cannot create {target}: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
        }
        finally
        {
            _ = unlink(temp);
        }
        if (HighestToken() != record.Token)
        {
            // A stale racer recreated a token a newer holding had swept: it was never the lease.
            _ = unlink(target);
            return false;
        }
        AtomicFile.SyncFolder(folder);
        Sweep(below: record.Token - 1);
        return true;
    }

    /// <summary>
    /// Marks holding <paramref name="token"/> of <paramref name="holder"/> released (freed, not deleted: the token
    /// stays, so the next holder's is higher still), only while it is still the lease: a newer holding, or one already
    /// released, is never touched. Called by the holder itself, and by its watchdog once the holder is dead. True when
    /// it released it.
    /// </summary>
    public bool ReleaseIfHeld(long token, string holder, DateTimeOffset now)
    {
        var (current, record) = Current(out _);
        if (record is null || record.IsFree || current != token || record.Holder != holder) return false;
        Rewrite(record with { Holder = "", Heartbeat = now });
        return true;
    }

    /// <summary>Rewrites this holding's own file (a heartbeat or a release); only the holder of the token calls it.</summary>
    public void Rewrite(LeaseRecord record) =>
        // Not durable: a heartbeat lost to a machine crash leaves an older or torn record, which reads as expired or
        // free, and after a crash that is the truth. Skipping the fsyncs keeps the holder off the disk every second.
        AtomicFile.Replace(PathOf(record.Token), Encoding.UTF8.GetBytes(record.Format()), durable: false, temp: TempPath(record.Token));

    private (long Token, LeaseRecord? Record) Legacy(out string? corruption)
    {
        corruption = null;
        var record = ReadFile(LegacyPath) is { } text ? LeaseRecord.Parse(text) : null;
        return record is null ? (0, null) : (record.Token, record);
    }

    /// <summary>A durable temp file with the record, for link(2) to give the holding's name to.</summary>
    private string WriteTemp(LeaseRecord record)
    {
        var temp = TempPath(record.Token);
        var fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0x1A4 /* 0644 */);
        if (fd < 0) throw new IOException($"cannot write {temp}: {Error()}");
        var written = WriteAll(fd, Encoding.UTF8.GetBytes(record.Format())) && fsync(fd) == 0;
        var problem = written ? null : Error();
        _ = close(fd);
        if (written) return temp;
        _ = unlink(temp);
        throw new IOException($"cannot write {temp}: {problem}");
    }

    /// <summary>Named per process and call: two writers never share a temp file. Dot-first, so it never matches a holding.</summary>
    private string TempPath(long token) =>
        Path.Combine(folder, $".{_prefix}{token}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    /// <summary>Deletes holdings below <paramref name="below"/>, the legacy files, and temp files a crashed writer left.</summary>
    private void Sweep(long below)
    {
        foreach (var (path, token) in Holdings())
        {
            if (token < below) _ = unlink(path);
        }
        foreach (var path in Directory.EnumerateFiles(folder, "." + _prefix + "*.tmp"))
        {
            // Only old ones: a live writer's temp file exists for a few milliseconds.
            if (File.GetLastWriteTimeUtc(path) < DateTime.UtcNow.AddMinutes(-1)) _ = unlink(path);
        }
        _ = unlink(LegacyPath);
        _ = unlink(Path.Combine(folder, name + ".lock"));
    }
}
