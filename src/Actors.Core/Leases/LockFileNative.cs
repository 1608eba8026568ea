using System.Runtime.InteropServices;
using System.Text;

namespace Actors.Leases;

/// <summary>
/// Raw file calls for lock and lease files. .NET's FileStream takes flock locks of its own on Unix (to emulate FileShare),
/// which would collide with ours, so lock files are opened, locked, read and written here directly.
/// </summary>
internal static unsafe partial class LockFileNative
{
    private const string Lib = "libc";
    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_TRUNC = 0x200, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;
    public const int LOCK_EX = 2, LOCK_NB = 4;
    public const int EWOULDBLOCK = 11, EINTR = 4, EEXIST = 17;
    private const int AT_FDCWD = -100, AT_EMPTY_PATH = 0x1000, STATX_NLINK = 0x4, NlinkOffset = 16;

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int open(string path, int flags, int mode);
    [LibraryImport(Lib, SetLastError = true)] public static partial int close(int fd);
    [LibraryImport(Lib, SetLastError = true)] public static partial int flock(int fd, int operation);
    [LibraryImport(Lib, SetLastError = true)] public static partial int fsync(int fd);
    [LibraryImport(Lib, SetLastError = true)] private static partial nint read(int fd, byte* buffer, nint count);
    [LibraryImport(Lib, SetLastError = true)] private static partial nint pread(int fd, byte* buffer, nint count, long offset);
    [LibraryImport(Lib, SetLastError = true)] private static partial nint write(int fd, byte* buffer, nint count);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int rename(string from, string to);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int unlink(string path);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int link(string existing, string newPath);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] private static partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>The last error as the OS words it, for messages.</summary>
    public static string Error() => Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());

    /// <summary>True when the file behind <paramref name="fd"/> still has a name: it was not unlinked or renamed over.</summary>
    public static bool IsLinked(int fd)
    {
        byte* buffer = stackalloc byte[256];
        if (statx(fd, "", AT_EMPTY_PATH, STATX_NLINK, buffer) != 0) return false;
        return *(uint*)(buffer + NlinkOffset) > 0;
    }

    /// <summary>How many names the file at <paramref name="path"/> has; -1 when it cannot be looked at.</summary>
    public static long LinkCount(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (statx(AT_FDCWD, path, 0, STATX_NLINK, buffer) != 0) return -1;
        return *(uint*)(buffer + NlinkOffset);
    }

    /// <summary>The whole content from offset 0 (small files only).</summary>
    public static string ReadAll(int fd)
    {
        var bytes = new byte[8192];
        int total = 0;
        fixed (byte* p = bytes)
        {
            while (total < bytes.Length)
            {
                var n = pread(fd, p + total, bytes.Length - total, total);
                if (n < 0 && Marshal.GetLastPInvokeError() == EINTR) continue;
                if (n <= 0) break;
                total += (int)n;
            }
        }
        return Encoding.UTF8.GetString(bytes, 0, total);
    }

    /// <summary>Reads a small file without taking any lock; null when it cannot be opened.</summary>
    public static string? ReadFile(string path)
    {
        var fd = open(path, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0) return null;
        try
        {
            return ReadAll(fd);
        }
        finally
        {
            close(fd);
        }
    }

    public static bool WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                var n = write(fd, p + done, data.Length - done);
                if (n < 0 && Marshal.GetLastPInvokeError() == EINTR) continue;
                if (n <= 0) return false;
                done += (int)n;
            }
        }
        return true;
    }
}
