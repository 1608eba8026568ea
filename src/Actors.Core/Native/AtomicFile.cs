using static Actors.Native.LibC;

namespace Actors.Native;

/// <summary>
/// The one way a file is replaced whole: write a temp file beside it, fsync it, rename it over the old one, fsync
/// the folder. A reader sees the old content or the new, never part of one, and a crash leaves one of the two: the
/// data is on disk before the rename makes it the file, and the rename is on disk before this returns.
/// </summary>
internal static class AtomicFile
{
    /// <param name="durable">
    /// False skips both fsyncs: for a record that is rewritten every few seconds and whose loss in a machine crash
    /// is harmless (a lease heartbeat); readers still never see half of it.
    /// </param>
    /// <param name="temp">The temp file's name; by default PATH.tmp, for files with one writer.</param>
    public static void Replace(string path, ReadOnlySpan<byte> content, bool durable = true, string? temp = null)
    {
        temp ??= path + ".tmp";
        var fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0x1A4 /* 0644 */);
        if (fd < 0) throw new IOException($"cannot write {temp}: {SmallFiles.Error()}");
        try
        {
            if (!SmallFiles.WriteAll(fd, content) || (durable && fsync(fd) != 0))
                throw new IOException($"cannot write {temp}: {SmallFiles.Error()}");
        }
        catch
        {
            _ = close(fd);
            _ = unlink(temp);
            throw;
        }
        _ = close(fd);
        if (rename(temp, path) != 0)
        {
            var problem = SmallFiles.Error();
            _ = unlink(temp);
            throw new IOException($"cannot replace {path}: {problem}");
        }
        if (durable) SyncFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>
    /// Makes a rename or link in <paramref name="folder"/> durable. Best effort: where a folder cannot be opened or
    /// synced (some file systems refuse), the file's content is still safe, only the new name may be lost.
    /// </summary>
    public static void SyncFolder(string folder)
    {
        var fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        if (fd < 0) return;
        _ = fsync(fd);
        _ = close(fd);
    }
}
