using Actors.Configuration;
using Actors.Logging;
using Actors.Native;

namespace Actors.Processes;

/// <summary>
/// The pipe and the log of the <see cref="OutputPump"/>'s start-up warm-up, its own, never a child's: a folder made
/// in the temporary folder (<c>actors-first-output-*</c>), a pipe holding a chunk of short lines with its write end
/// closed, and a log in that folder. <see cref="Dispose"/> closes what the pump did not take and removes the folder.
/// </summary>
internal sealed unsafe class FirstOutputScratch : IDisposable
{
    private readonly DirectoryInfo _folder;
    private int _readFd = -1;
    private int _writeFd = -1;

    /// <summary>Makes the folder; throws (<see cref="IOException"/>, <see cref="UnauthorizedAccessException"/>) when it cannot, as under a read-only /tmp.</summary>
    public FirstOutputScratch() => _folder = Directory.CreateTempSubdirectory("actors-first-output-");

    /// <summary>Makes the pipe and writes the lines into it, then closes its write end; false when there is no pipe.</summary>
    public bool FillPipe()
    {
        int* fds = stackalloc int[2];
        if (LibC.pipe2(fds, LibC.O_CLOEXEC | LibC.O_NONBLOCK) != 0) return false;
        _readFd = fds[0];
        _writeFd = fds[1];
        var lines = "first output of a child\n"u8;
        Span<byte> chunk = stackalloc byte[lines.Length * 1100];
        for (int at = 0; at < chunk.Length; at += lines.Length) lines.CopyTo(chunk[at..]);
        fixed (byte* bytes = chunk) LibC.write(_writeFd, bytes, chunk.Length);
        LibC.close(_writeFd);
        _writeFd = -1;
        return true;
    }

    /// <summary>The pipe's read end, handed over: from now on its reader closes it.</summary>
    public int TakeReadEnd()
    {
        int fd = _readFd;
        _readFd = -1;
        return fd;
    }

    /// <summary>A log in the folder; its caller disposes it.</summary>
    public ProcessLogWriter OpenLog() =>
        new(new LogSettings(Path.Combine(_folder.FullName, "first.log"), 1 << 20, 0, false), new LogTail());

    public void Dispose()
    {
        if (_readFd >= 0) LibC.close(_readFd);
        if (_writeFd >= 0) LibC.close(_writeFd);
        _readFd = _writeFd = -1;
        try { _folder.Delete(recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
