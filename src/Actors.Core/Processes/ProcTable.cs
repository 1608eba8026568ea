using System.Text;
using Actors.Native;

namespace Actors.Processes;

/// <summary>One line of <c>/proc/PID/stat</c>, the fields the node decides by.</summary>
internal readonly record struct ProcEntry(int Pid, char State, int Ppid, int Pgid, int Sid, long StartTime, int Threads = 1)
{
    /// <summary>Exited, not yet reaped by its parent: it holds its pid, group and session ids, but runs nothing.</summary>
    public bool Zombie => State is 'Z' or 'X';
}

/// <summary>Reads the process table from /proc: every process's stat line in one pass, and environments on demand.</summary>
internal static class ProcTable
{
    /// <summary>Every process whose start time is at least <paramref name="minStartTime"/> (clock ticks since boot).</summary>
    public static List<ProcEntry> Read(long minStartTime = 0)
    {
        var entries = new List<ProcEntry>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir.AsSpan());
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]) || !int.TryParse(name, out var pid)) continue;
            if (ReadOne(pid) is { } entry && entry.StartTime >= minStartTime) entries.Add(entry);
        }
        return entries;
    }

    /// <summary>The stat line of <paramref name="pid"/>, or null when there is no such process.</summary>
    public static ProcEntry? ReadOne(int pid)
    {
        // Read into the stack, not with File.ReadAllText: the table is read at the end of every run, and a reader
        // with its buffers per process made that the node's largest allocation in a crash loop. The fields used
        // (up to 22) fit well within the buffer even when a line is longer.
        // Raw open/pread/close, not a FileStream handle: .NET takes and drops an flock (its FileShare emulation) and
        // fstats each file it opens, three syscalls more per process than the read needs; the orphan sweep reads
        // every process on the machine (measured on an idle node with 500 children: 6 syscalls per process, 30,000
        // in 20 s, most of its idle CPU).
        Span<byte> buffer = stackalloc byte[1024];
        int length = ReadStat(pid, buffer);
        if (length <= 0) return null;
        ReadOnlySpan<byte> text = buffer[..length];
        // The command name (field 2) is in parentheses and may itself hold spaces or ')': count from the last ')'.
        int close = text.LastIndexOf((byte)')');
        if (close < 0 || close + 2 >= text.Length) return null;
        var rest = text[(close + 2)..];
        char state = (char)rest[0];
        int ppid = 0, pgid = 0, sid = 0, threads = 1;
        int index = 3; // fields after ')' start at field 3 (state)
        foreach (var range in rest.Split((byte)' '))
        {
            var field = rest[range];
            switch (index++)
            {
                case 4: int.TryParse(field, out ppid); break;
                case 5: int.TryParse(field, out pgid); break;
                case 6: int.TryParse(field, out sid); break;
                case 20: int.TryParse(field, out threads); break;
                case 22: return long.TryParse(field, out var start) ? new ProcEntry(pid, state, ppid, pgid, sid, start, threads) : null;
            }
        }
        return null;
    }

    /// <summary>
    /// The pids of the children of thread <paramref name="tid"/> of process <paramref name="pid"/>
    /// (<c>/proc/PID/task/TID/children</c>: a child is listed under the thread that forked it, or that adopted it), as
    /// the kernel lists them: a child can be missing when a sibling leaves meanwhile (see <see cref="StableChildrenOf"/>).
    /// Null when there is no such thread (any more), or a kernel without <c>CONFIG_PROC_CHILDREN</c>.
    /// </summary>
    public static unsafe List<int>? ChildrenOf(int pid, int tid)
    {
        byte* path = stackalloc byte[64];
        System.Text.Unicode.Utf8.TryWrite(new Span<byte>(path, 63), $"/proc/{pid}/task/{tid}/children", out var written);
        path[written] = 0;
        return ReadPidList(path);
    }

    /// <summary>
    /// The children of thread <paramref name="tid"/> of process <paramref name="pid"/>, each one's stat read after the
    /// list, from a listing that missed none; null when none of <see cref="ListingAttempts"/> could be trusted, or the
    /// list cannot be read. Children forked during the read may be missing, as from any snapshot.
    /// <para>
    /// Why the check: the kernel lists children one at a time, under the tasklist lock for each (fs/proc/array.c,
    /// <c>get_children_pid</c>). It goes on from the child it printed last if that one is still a child; otherwise it
    /// counts its position from the list's head again, and skips a child for each printed one that left the list
    /// meanwhile ("We might miss some children here if children are exited while we were not holding the lock").
    /// A child leaves the list only when it is reaped (then it is gone from /proc) or when its parent exits (then its
    /// parent is another). So a listing whose every child is still there, with <paramref name="pid"/> as parent, after
    /// the read lost none. Measured with a parent that forks and reaps short-lived children without pause: 31 to 39
    /// of 200,000 listings missed a child that lived through the whole listing (bench/README.md, stop 39). The node reaps
    /// adopted orphans while it lists its own children, and a run's shell reaps its children while its tree is walked.
    /// </para>
    /// </summary>
    public static List<ProcEntry>? StableChildrenOf(int pid, int tid) => StableChildren(pid, () => ChildrenOf(pid, tid));

    /// <summary>As <see cref="StableChildrenOf"/>, from the listings <paramref name="list"/> gives (children of <paramref name="pid"/>).</summary>
    internal static List<ProcEntry>? StableChildren(int pid, Func<List<int>?> list)
    {
        for (int attempt = 0; attempt < ListingAttempts; attempt++)
        {
            if (list() is not { } pids) return null;
            var children = new List<ProcEntry>(pids.Count);
            foreach (int child in pids)
            {
                if (ReadOne(child) is not { } entry || entry.Ppid != pid) break;
                children.Add(entry);
            }
            if (children.Count == pids.Count) return children;
        }
        return null;
    }

    /// <summary>How many listings <see cref="StableChildrenOf"/> reads before it leaves the answer to the process table.</summary>
    public const int ListingAttempts = 3;

    /// <summary>The thread ids of <paramref name="pid"/> (<c>/proc/PID/task</c>), or null when it is gone.</summary>
    public static List<int>? ThreadsOf(int pid)
    {
        try
        {
            var threads = new List<int>();
            foreach (var dir in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                if (int.TryParse(Path.GetFileName(dir.AsSpan()), out var tid)) threads.Add(tid);
            return threads;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>A list of pids separated by spaces, read whole from the NUL-terminated <paramref name="path"/>.</summary>
    private static unsafe List<int>? ReadPidList(byte* path)
    {
        int fd = LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0) return null;
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                nint n;
                fixed (byte* p = buffer) n = LibC.pread(fd, p + length, buffer.Length - length, length);
                if (n < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == LibC.EINTR) continue;
                if (n < 0) return null;
                if (n == 0) break;
                length += (int)n;
            }
            var pids = new List<int>();
            var text = buffer.AsSpan(0, length);
            foreach (var range in text.Split((byte)' '))
                if (int.TryParse(text[range], out var pid)) pids.Add(pid);
            return pids;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            LibC.close(fd);
        }
    }

    /// <summary>
    /// The environment <paramref name="pid"/> was started with (<c>/proc/PID/environ</c>), or null when it cannot be
    /// read. Read whole in one call: the file reads the memory the process had when it was opened, and an exec between
    /// two reads ends that memory, so the second read returns nothing, as at the end of the file. File.ReadAllBytes
    /// reads a file of unknown length in several reads: a run's marker was so cut off the environment of a child that
    /// was exec'ing, the miss was remembered, and the child outlived its run (EscapedDescendantSpec, 3 of 15 runs under
    /// load, stop 39). A buffer the environment fills is doubled and the read made again from the start.
    /// </summary>
    public static unsafe byte[]? ReadEnviron(int pid)
    {
        byte* path = stackalloc byte[32];
        System.Text.Unicode.Utf8.TryWrite(new Span<byte>(path, 31), $"/proc/{pid}/environ", out var written);
        path[written] = 0;
        int fd = LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0) return null;
        try
        {
            for (int size = 16 * 1024; size <= MaxEnviron; size *= 2)
            {
                byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
                try
                {
                    nint n;
                    fixed (byte* p = buffer)
                        do { n = LibC.pread(fd, p, buffer.Length, 0); }
                        while (n < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == LibC.EINTR);
                    if (n < 0) return null;
                    if (n < buffer.Length) return buffer.AsSpan(0, (int)n).ToArray();
                }
                finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
            }
            return null;
        }
        finally { LibC.close(fd); }
    }

    /// <summary>The largest environment read (the kernel allows a quarter of the stack limit: 2 MiB by default).</summary>
    private const int MaxEnviron = 16 * 1024 * 1024;

    /// <summary>Reads <c>/proc/PID/stat</c> into <paramref name="buffer"/>: its length, or -1 when there is no such process.</summary>
    private static unsafe int ReadStat(int pid, Span<byte> buffer)
    {
        byte* path = stackalloc byte[32];
        System.Text.Unicode.Utf8.TryWrite(new Span<byte>(path, 31), $"/proc/{pid}/stat", out var written);
        path[written] = 0;
        int fd = LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0) return -1;
        try
        {
            fixed (byte* p = buffer)
            {
                nint n;
                do { n = LibC.pread(fd, p, buffer.Length, 0); }
                while (n < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == LibC.EINTR);
                return (int)n;
            }
        }
        finally { LibC.close(fd); }
    }

    /// <summary>
    /// True when the environment <paramref name="pid"/> was started with holds the whole entry <paramref name="entry"/>
    /// (<c>NAME=VALUE</c>). False when it does not, or cannot be read (a zombie's is empty; another user's is closed).
    /// </summary>
    public static bool EnvironHas(int pid, string entry)
    {
        if (ReadEnviron(pid) is not { } environ) return false;
        // Entries are NUL-terminated: match whole entries only (the first one has no NUL before it).
        var span = environ.AsSpan();
        var needle = Encoding.UTF8.GetBytes(entry + "\0");
        if (span.StartsWith(needle)) return true;
        var inner = Encoding.UTF8.GetBytes("\0" + entry + "\0");
        return span.IndexOf(inner) >= 0;
    }
}

/// <summary>
/// The process table shared by every run: one read of /proc serves every caller that asked for a table taken
/// after a given moment, and each process's run marker is read from its environment once. A mass stop of
/// hundreds of runs, each looking for what it started outside its group, then costs a few reads of the table,
/// not one (and an environment read of every younger process) per run.
/// </summary>
internal static class SharedProcTable
{
    /// <summary>Older tables are read again, whatever the caller's moment: a poll must see processes go.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(20);

    private static readonly CoalescedReads<List<ProcEntry>> Table = new(() => ProcTable.Read(), MaxAge);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(int Pid, long StartTime), string> RunMarkers = new();
#if !ACTORS_WATCHDOG // only a node's runs look at the table off their threads
    private static readonly BatchedReads<List<ProcEntry>> Batched = new(Current);
#endif

    /// <summary>
    /// A table read after <paramref name="notBefore"/> (a <see cref="System.Diagnostics.Stopwatch"/> timestamp): what
    /// ran at that moment and still runs is in it, and whatever it started since has a parent in it, alive. Callers
    /// asking at the same time share one read (see <see cref="CoalescedReads{T}"/>).
    /// </summary>
    public static List<ProcEntry> Current(long notBefore)
    {
        var table = Table.Current(notBefore);
        if (RunMarkers.Count > 2 * table.Count + 64) Prune(table);
        return table;
    }

#if !ACTORS_WATCHDOG
    /// <summary>
    /// A table read after <paramref name="notBefore"/>, shared with every caller that asked meanwhile (see
    /// <see cref="BatchedReads{T}"/>). A mass stop, where every run looks at the table right after its signal and again
    /// after its exit, so costs a few reads, where runs waiting for the table in turn on their own threads made one read
    /// for every one or two of them, each a few ms of the node's CPU with a few hundred processes on the machine
    /// (measured: bench/README.md, stop 35).
    /// </summary>
    public static Task<List<ProcEntry>> ReadAfter(long notBefore) => Batched.ReadAfter(notBefore);
#endif

    /// <summary>
    /// The <c>NAME=VALUE</c> entry of <paramref name="variable"/> in the environment of <paramref name="process"/>, or
    /// null. Only what could be read whole is remembered (<see cref="ProcTable.ReadEnviron"/>): an empty read (a zombie,
    /// a process in the middle of exec) is tried again next time.
    /// </summary>
    public static string? EntryOf(ProcEntry process, string variable)
    {
        if (RunMarkers.TryGetValue((process.Pid, process.StartTime), out var known)) return known.Length == 0 ? null : known;
        if (ProcTable.ReadEnviron(process.Pid) is not { Length: > 0 } environ) return null;
        var entry = Find(environ, variable) ?? "";
        RunMarkers[(process.Pid, process.StartTime)] = entry;
        return entry.Length == 0 ? null : entry;
    }

    private static string? Find(byte[] environ, string variable)
    {
        var prefix = Encoding.UTF8.GetBytes(variable + "=");
        var span = environ.AsSpan();
        int at = 0;
        while (at < span.Length)
        {
            int end = span[at..].IndexOf((byte)0);
            var item = end < 0 ? span[at..] : span.Slice(at, end);
            if (item.StartsWith(prefix)) return Encoding.UTF8.GetString(item);
            if (end < 0) break;
            at += end + 1;
        }
        return null;
    }

    private static void Prune(List<ProcEntry> table)
    {
        var live = table.Select(e => (e.Pid, e.StartTime)).ToHashSet();
        foreach (var key in RunMarkers.Keys)
            if (!live.Contains(key)) RunMarkers.TryRemove(key, out _);
    }
}

/// <summary>
/// A value that is expensive to read (the whole process table), read once for every caller that asked at about the
/// same time. A caller gets a value read after its <c>notBefore</c> moment that either began after the caller asked
/// (it waited for that very read) or is younger than <c>maxAge</c>. The first rule is what makes a mass stop cheap
/// on a loaded machine: there a read of /proc takes longer than <c>maxAge</c>, and without it each of a hundred
/// runs queued behind the read would find it too old and read the table again, one after another.
/// </summary>
internal sealed class CoalescedReads<T>(Func<T> read, TimeSpan maxAge) where T : class
{
    private readonly object _gate = new();
    private T? _value;
    private long _takenAt; // Stopwatch timestamp from just before the read began

    /// <summary>Reads made so far.</summary>
    public int Reads { get; private set; }

    /// <param name="notBefore">A <see cref="System.Diagnostics.Stopwatch"/> timestamp the value must be read after.</param>
    public T Current(long notBefore)
    {
        long askedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        lock (_gate)
        {
            if (_value is not null && _takenAt > notBefore
                && (_takenAt > askedAt || System.Diagnostics.Stopwatch.GetElapsedTime(_takenAt) < maxAge))
                return _value;
            long startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            _value = read();
            _takenAt = startedAt;
            Reads++;
            return _value;
        }
    }
}
