using System.Runtime.InteropServices;
using System.Text;
using Actors.Configuration;
using Actors.Processes;
using Actors.Leases;
using static Actors.Native.LibC;
using static Actors.Native.SmallFiles;

namespace Actors.Node.Leases;

/// <summary>The lock is held by a live node; the message says who, and what to do.</summary>
public sealed class NodeLockBusyException(string message, NodeLockHolder? holder) : Exception(message)
{
    public NodeLockHolder? Holder { get; } = holder;
}

/// <summary>The lock file cannot be used at all (folder missing or not writable...); the message names the path.</summary>
public sealed class NodeLockUnusableException(string message) : Exception(message);

/// <summary>
/// One node per state-dir: <c>flock</c> on <c>&lt;state-dir&gt;/node.lock</c>, whose content names the holder (pid,
/// start time, host, start, heartbeat). The kernel drops a flock when its holder dies however it dies, so a
/// lock left by a dead node is free and taken at once. The record is replaced atomically (new file, locked
/// before it is renamed over the old one), so readers never see half a record; a contender that locked the
/// old file checks it still has a name and tries again.
/// </summary>
public sealed class NodeLock : IDisposable
{
    private const int Attempts = 20;
    private readonly string _path;
    private int _fd;

    private NodeLock(string path, int fd, NodeLockHolder self, string? takeover)
    {
        _path = path;
        _fd = fd;
        Self = self;
        Takeover = takeover;
    }

    public string Path => _path;

    /// <summary>This node's record as last written.</summary>
    public NodeLockHolder Self { get; private set; }

    /// <summary>Why a previous holder's lock was taken over (for the log), or null for a fresh lock.</summary>
    public string? Takeover { get; }

    /// <summary>
    /// Takes the lock or throws <see cref="NodeLockBusyException"/>. With <paramref name="replace"/>, a live holder
    /// on this host is stopped first (SIGTERM, SIGKILL after <paramref name="replaceTimeout"/>; its pid and start
    /// time are checked before each signal).
    /// </summary>
    public static NodeLock Acquire(string path, NodeLockSettings settings, bool replace, TimeSpan replaceTimeout, Action<string> log)
    {
        var self = new NodeLockHolder(Environment.ProcessId, ProcStat.ReadStartTime(Environment.ProcessId) ?? 0,
            Environment.MachineName, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        string? takeover = null;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0x180 /* 0600 */);
            if (fd < 0)
                throw new NodeLockUnusableException($"cannot open the node lock {path}: {Error()}; check that actors.node.state-dir is a writable folder");
            if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            {
                if (!IsLinked(fd))
                {
                    close(fd); // locked a file that was just replaced or removed: try the current one
                    continue;
                }
                var previous = ReadAll(fd);
                takeover ??= DescribeTakeover(previous);
                var held = new NodeLock(path, fd, self, takeover);
                held.Refresh();
                return held;
            }
            var error = Marshal.GetLastPInvokeError();
            var record = ReadAll(fd);
            close(fd);
            if (error != EWOULDBLOCK)
                throw new NodeLockUnusableException($"cannot lock {path}: {Marshal.GetPInvokeErrorMessage(error)}");

            var holder = NodeLockHolder.Parse(record);
            var now = DateTimeOffset.UtcNow;
            if (holder is not null && holder.Host == self.Host && !ProcStat.Matches(holder.Pid, holder.StartTime))
            {
                // Locked, yet its holder is gone (or its pid now belongs to another process): something that
                // inherited the lock keeps it. The record is ours to judge on this host: break the lock.
                takeover = $"previous holder pid {holder.Pid} is gone but its lock was still held; the lock was broken";
                unlink(path);
                continue;
            }
            if (replace && holder is not null)
            {
                Replace(holder, self.Host, replaceTimeout, log);
                takeover = $"replaced the node {holder.Describe(now)}";
                continue;
            }
            throw Busy(path, holder, settings, now);
        }
        throw new NodeLockBusyException($"could not take {path} after {Attempts} attempts: other nodes keep taking it", null);
    }

    /// <summary>
    /// Rewrites the record with a fresh heartbeat, atomically, keeping the lock all along. Not fsynced: the record
    /// only informs, and a machine crash that loses a beat also ends the node and frees its lock: a flush to disk
    /// every few seconds is I/O an idle node need not do.
    /// </summary>
    public void Refresh()
    {
        var record = Self with { Heartbeat = DateTimeOffset.UtcNow };
        var temp = $"{_path}.{Environment.ProcessId}.tmp";
        var fd = open(temp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0x180);
        if (fd < 0) throw new IOException($"cannot write the node lock {temp}: {Error()}");
        // Locked before it gets the lock's name, so the name always belongs to a locked file.
        if (flock(fd, LOCK_EX | LOCK_NB) != 0 || !WriteAll(fd, Encoding.UTF8.GetBytes(record.ToJson())) || rename(temp, _path) != 0)
        {
            var message = Error();
            close(fd);
            unlink(temp);
            throw new IOException($"cannot refresh the node lock {_path}: {message}");
        }
        close(_fd);
        _fd = fd;
        Self = record;
    }

    /// <summary>True while the file at the lock's path is still the one this node holds.</summary>
    public bool StillHeld => IsLinked(_fd);

    /// <summary>Removes the record and releases the lock (an orderly exit: nothing to take over next time).</summary>
    public void Dispose()
    {
        if (_fd < 0) return;
        if (StillHeld) unlink(_path);
        close(_fd);
        _fd = -1;
    }

    private static string? DescribeTakeover(string previous)
    {
        if (string.IsNullOrWhiteSpace(previous)) return null;
        return NodeLockHolder.Parse(previous) is { } holder
            ? $"previous holder pid {holder.Pid} on {holder.Host} is gone (its lock was free; last heartbeat {NodeLockHolder.Ago(DateTimeOffset.UtcNow - holder.Heartbeat)} ago)"
            : "the lock file was unreadable (a write cut short?) and its lock was free: treated as stale";
    }

    private static NodeLockBusyException Busy(string path, NodeLockHolder? holder, NodeLockSettings settings, DateTimeOffset now)
    {
        if (holder is null)
            return new NodeLockBusyException($"another node holds {path} (its record is unreadable); stop that node first", null);
        var message = $"another node holds {path}: {holder.Describe(now)}";
        if (now - holder.Heartbeat > settings.StaleAfter)
            message += $"; it looks hung (no heartbeat for longer than stale-after {settings.StaleAfter.TotalSeconds:0.###}s): 'actors run --replace' stops it and takes over";
        return new NodeLockBusyException(message, holder);
    }

    private static void Replace(NodeLockHolder holder, string host, TimeSpan timeout, Action<string> log)
    {
        if (holder.Host != host)
            throw new NodeLockBusyException($"the node holding the lock runs on {holder.Host}, not here: stop it there", holder);
        foreach (var (signal, wait) in new[] { (15, timeout), (9, TimeSpan.FromSeconds(5)) })
        {
            // Signal only the very process that wrote the record: a reused pid is never touched (through a pidfd
            // opened before its start time is checked, see ProcessGroupSignal).
            if (!ProcStat.Matches(holder.Pid, holder.StartTime)) return;
            log($"--replace: sending SIG{Signals.NameOf(signal)} to the node pid {holder.Pid}");
            ProcessGroupSignal.ToProcess(holder.Pid, holder.StartTime, signal);
            // A node hung by SIGSTOP would hold SIGTERM pending forever: let it act on it and stop its processes.
            if (signal != SIGKILL) ProcessGroupSignal.ToProcess(holder.Pid, holder.StartTime, SIGCONT);
            if (ProcessExit.WaitFor(holder.Pid, wait)) return;
        }
        throw new NodeLockBusyException($"the node pid {holder.Pid} survived SIGKILL; it is stuck in the kernel", holder);
    }
}
