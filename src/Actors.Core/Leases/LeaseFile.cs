using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using static Actors.Leases.LockFileNative;

namespace Actors.Leases;

/// <summary>
/// One lease on disk: <c>NAME.lease</c> holds the <see cref="LeaseRecord"/>, <c>NAME.lock</c> is only ever
/// flock()ed. Every read-modify-write happens under an exclusive flock of the lock file (so two processes never
/// both see "free" and both take it), and the lease file is replaced atomically (write a temp file, fsync,
/// rename), so a reader sees the old record or the new one, never half of one. The lock is a separate file
/// because rename replaces the lease file's inode, and a lock on a replaced inode would lock nothing.
/// </summary>
internal sealed class LeaseFile(string folder, string name)
{
    public string LeasePath { get; } = Path.Combine(folder, name + ".lease");
    public string LockPath { get; } = Path.Combine(folder, name + ".lock");
    private string TempPath => LeasePath + ".tmp";

    /// <summary>Set when the last read found a file that did not parse (it then counts as free).</summary>
    public string? CorruptionNote { get; private set; }

    /// <summary>The current record without locking (rename makes reads safe); null when missing or corrupt.</summary>
    public LeaseRecord? Read()
    {
        CorruptionNote = null;
        string text;
        try
        {
            text = File.ReadAllText(LeasePath, Encoding.UTF8);
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        var record = LeaseRecord.Parse(text);
        if (record is null) CorruptionNote = $"{LeasePath} is corrupt or truncated ({text.Length} bytes); it counts as free";
        return record;
    }

    /// <summary>
    /// Under the lock: reads the record, asks <paramref name="change"/> for the new one (null = leave it), writes
    /// it if given. Returns what was read. Throws <see cref="TimeoutException"/> when the lock stays taken for
    /// <paramref name="lockTimeout"/> (its holder may be frozen inside its few-millisecond critical section).
    /// </summary>
    public LeaseRecord? Update(Func<LeaseRecord?, LeaseRecord?> change, TimeSpan lockTimeout)
    {
        Directory.CreateDirectory(folder);
        var fd = Open(LockPath);
        try
        {
            Lock(fd, lockTimeout);
            var current = Read();
            if (change(current) is { } next) Write(next);
            return current;
        }
        finally
        {
            // Closing the descriptor drops the flock.
            _ = close(fd);
        }
    }

    private void Write(LeaseRecord record)
    {
        using (var tmp = new FileStream(TempPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
        {
            tmp.Write(Encoding.UTF8.GetBytes(record.Format()));
            // The data must be on disk before the rename makes it the lease: a crash must not leave an empty lease.
            tmp.Flush(flushToDisk: true);
        }
        File.Move(TempPath, LeasePath, overwrite: true);
    }

    private static int Open(string path)
    {
        // Opened through libc, not FileStream: .NET takes a non-blocking flock of its own on open and throws when
        // another process holds the lock, which is exactly the case we want to wait for.
        var fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0x1A4 /* 0644 */);
        if (fd < 0) throw new IOException($"cannot open {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        return fd;
    }

    private static void Lock(int fd, TimeSpan timeout)
    {
        // LOCK_NB and a short pause between tries instead of a blocking flock: a holder frozen by SIGSTOP inside
        // its critical section would otherwise block us forever.
        var clock = Stopwatch.StartNew();
        while (flock(fd, LOCK_EX | LOCK_NB) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != EWOULDBLOCK && errno != EINTR) throw new IOException($"flock failed: {Marshal.GetPInvokeErrorMessage(errno)}");
            if (clock.Elapsed > timeout) throw new TimeoutException($"the lease lock stayed taken for {timeout.TotalSeconds:0.###}s");
            Thread.Sleep(1);
        }
    }
}
