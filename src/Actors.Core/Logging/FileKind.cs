using static Actors.Native.LibC;

namespace Actors.Logging;

/// <summary>
/// Tells regular files from devices, pipes and sockets. Only a regular file may be rotated: renaming
/// /dev/null because a process's log.file points there would break the whole machine.
/// </summary>
public static unsafe class FileKind
{
    private const uint STATX_TYPE = 1;
    private const int ModeOffset = 28, S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFSOCK = 0xC000;

    /// <summary>True when <paramref name="path"/> is a regular file (after following links).</summary>
    public static bool IsRegularFile(string path) => TypeOf(path) == S_IFREG;

    /// <summary>True when <paramref name="path"/> is a unix socket (after following links).</summary>
    public static bool IsSocket(string path) => TypeOf(path) == S_IFSOCK;

    /// <summary>The S_IFMT bits of the file's mode; -1 when it cannot be examined.</summary>
    private static int TypeOf(string path)
    {
        // struct statx has one layout on every architecture: stx_mode is the u16 at offset 28.
        byte* buffer = stackalloc byte[256];
        if (statx(AT_FDCWD, path, 0, STATX_TYPE, buffer) != 0) return -1;
        return *(ushort*)(buffer + ModeOffset) & S_IFMT;
    }
}
