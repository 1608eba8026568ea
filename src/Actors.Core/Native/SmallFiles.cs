using System.Runtime.InteropServices;
using System.Text;
using static Actors.Native.LibC;

namespace Actors.Native;

/// <summary>
/// Small files read and written through raw descriptors. .NET's FileStream takes flock locks of its own on Unix (to
/// emulate FileShare), which would collide with the node lock's, and cannot say how many names a file has.
/// </summary>
internal static unsafe class SmallFiles
{
    /// <summary>The last error as the OS words it, for messages.</summary>
    public static string Error() => Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());

    /// <summary>True when the file behind <paramref name="fd"/> still has a name: it was not unlinked or renamed over.</summary>
    public static bool IsLinked(int fd)
    {
        byte* buffer = stackalloc byte[256];
        if (statx(fd, "", StatxEmptyPath, STATX_NLINK, buffer) != 0) return false;
        return *(uint*)(buffer + StatxNlinkOffset) > 0;
    }

    /// <summary>How many names the file at <paramref name="path"/> has; -1 when it cannot be looked at.</summary>
    public static long LinkCount(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (statx(AT_FDCWD, path, 0, STATX_NLINK, buffer) != 0) return -1;
        return *(uint*)(buffer + StatxNlinkOffset);
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

    /// <summary>
    /// The bytes of the regular file at <paramref name="path"/>, at most <paramref name="limit"/> + 1 of them (so the
    /// caller sees a file that is too long); null with the reason when it is not a regular file or cannot be read.
    /// Opened non-blocking, so a FIFO at the path never blocks the caller.
    /// </summary>
    public static byte[]? ReadRegular(string path, int limit, out string? problem)
    {
        problem = null;
        var fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            problem = errno == 2 ? "does not exist" : $"cannot be read: {ErrorText(errno)}";
            return null;
        }
        try
        {
            byte* stat = stackalloc byte[256];
            if (statx(fd, "", StatxEmptyPath, STATX_TYPE, stat) != 0) { problem = $"cannot be read: {Error()}"; return null; }
            var type = *(ushort*)(stat + StatxModeOffset) & S_IFMT;
            if (type == S_IFDIR) { problem = "is a folder, not a file"; return null; }
            if (type != S_IFREG) { problem = "is not a regular file"; return null; }
            var bytes = new byte[limit + 1];
            int total = 0;
            fixed (byte* p = bytes)
            {
                while (total < bytes.Length)
                {
                    var n = pread(fd, p + total, bytes.Length - total, total);
                    if (n < 0 && Marshal.GetLastPInvokeError() == EINTR) continue;
                    if (n < 0) { problem = $"cannot be read: {Error()}"; return null; }
                    if (n == 0) break;
                    total += (int)n;
                }
            }
            return bytes[..total];
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
