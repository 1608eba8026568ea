using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Actors.Native;

namespace Actors.Logging;

/// <summary>
/// One open log file: an append stream with our own write buffer, its size, and size rotation
/// (<c>name.log</c> → <c>name.log.1</c> … <c>name.log.keep</c>). Every I/O failure becomes a
/// <see cref="LogWriteException"/> naming the file. Only regular files rotate. The file is opened without following
/// a symbolic link (a link planted at the path by someone else must not make a root node write where it points)
/// and created with mode 0640. Not thread-safe: <see cref="ProcessLogWriter"/> locks.
/// </summary>
internal sealed class LogFile : IDisposable
{
    private const int BufferSize = 64 * 1024;
    private const uint CreateMode = 0x1A0; // 0640: the owner writes, the group reads, others nothing

    /// <summary>How often a path that could not be opened after a rotation is tried again.</summary>
    internal static readonly TimeSpan ReopenInterval = TimeSpan.FromSeconds(1);

    private readonly string _path;
    private readonly int _keep;
    private readonly bool _rotatable;
    private readonly TimeProvider _clock;
    private FileStream _stream;
    private byte[]? _buffer;
    private int _buffered;
    // Set while the path could not be opened after a rotation: output goes on into the previous file, and the
    // path is tried again every ReopenInterval.
    private long? _reopenFailedAt;

    public LogFile(string path, int keep, TimeProvider clock)
    {
        _path = path;
        _keep = keep;
        _clock = clock;
        _stream = Guard("open", () => OpenStream(path));
        _rotatable = FileKind.IsRegularFile(path);
        Size = _rotatable ? _stream.Length : 0;
        EndedMidLine = _rotatable && Size > 0 && Guard("read", () => LastByte(path, Size)) != (byte)'\n';
    }

    /// <summary>Bytes in the current file, including bytes still in the buffer.</summary>
    public long Size { get; private set; }

    /// <summary>A regular file, which rotates (a device or a FIFO never does).</summary>
    public bool Rotatable => _rotatable;

    /// <summary>
    /// The last rotation's failure while it lasts (one line naming the file); null when all is well. Readable from
    /// any thread without the writer's lock (a write blocked on a FIFO must not block a status).
    /// </summary>
    public string? Error
    {
        get => Volatile.Read(ref _error);
        private set => Volatile.Write(ref _error, value);
    }

    private string? _error;

    /// <summary>The existing file did not end with a newline (e.g. the node was killed mid-line).</summary>
    public bool EndedMidLine { get; }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_reopenFailedAt is { } failedAt && _clock.GetElapsedTime(failedAt) >= ReopenInterval)
            RetryReopen();
        if (_buffer is null || _buffered + bytes.Length > _buffer.Length)
        {
            WriteBuffer();
            // Large chunks go straight to the file: copying them through the buffer gains nothing.
            if (bytes.Length >= BufferSize / 2)
            {
                Write(bytes);
                return;
            }
            // Rented per batch and returned on Flush, so hundreds of idle processes hold no buffers.
            _buffer ??= ArrayPool<byte>.Shared.Rent(BufferSize);
        }
        bytes.CopyTo(_buffer.AsSpan(_buffered));
        _buffered += bytes.Length;
        Size += bytes.Length;
    }

    /// <summary>Hands buffered bytes to the OS, so readers of the file see them now.</summary>
    public void Flush()
    {
        WriteBuffer();
        if (_buffer is not null)
            ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }

    /// <summary>
    /// Shifts the rotated files and starts an empty file. If shifting fails, writing goes on in the file at the path
    /// (no output is lost). If the path cannot be opened again, writing goes on in the file that was open (now
    /// <c>name.log.1</c>, or wherever it was moved) and the path is tried again every <see cref="ReopenInterval"/>.
    /// Either failure is returned for the caller to throw once it has finished its chunk, and kept in
    /// <see cref="Error"/> until a later rotation or reopen succeeds.
    /// </summary>
    public LogWriteException? Rotate()
    {
        if (!_rotatable)
        {
            // A device or pipe (/dev/null, a FIFO) has no size to bound and must never be renamed.
            Size = 0;
            return null;
        }
        Flush();
        LogWriteException? shiftFailure = null;
        try
        {
            ShiftRotatedFiles();
        }
        catch (Exception e) when (IsIoFailure(e))
        {
            shiftFailure = new LogWriteException(_path, "rotate", e);
        }
        // The old stream stays open until the new one is: a failed open never leaves the writer without a file.
        var openFailure = TryReopen();
        var failure = openFailure ?? shiftFailure;
        Error = failure?.Message;
        // After a failed rotation the next attempt comes after another max-size, not on every line.
        if (failure is not null)
            Size = 0;
        return failure;
    }

    /// <summary>Empties the file at the path (<c>log.truncate-on-start</c>); a device or FIFO has nothing to empty.</summary>
    public void Truncate()
    {
        _buffered = 0;
        Flush();
        if (!_rotatable)
            return;
        // O_APPEND: every later write lands at the new end, 0.
        Guard("truncate", () => { _stream.SetLength(0); return 0; });
        Size = 0;
    }

    // The error shown is the latest: the path may fail differently now (a folder there, then a link).
    private void RetryReopen() => Error = TryReopen()?.Message;

    /// <summary>Opens the path anew and switches to it; on failure keeps the current stream and schedules a retry.</summary>
    private LogWriteException? TryReopen()
    {
        FileStream fresh;
        try
        {
            fresh = Guard("open", () => OpenStream(_path));
        }
        catch (LogWriteException e)
        {
            _reopenFailedAt = _clock.GetTimestamp();
            return e;
        }
        try
        {
            WriteBuffer(); // what was buffered belongs to the file it was written for
        }
        catch
        {
            fresh.Dispose();
            throw;
        }
        _stream.Dispose();
        _stream = fresh;
        _reopenFailedAt = null;
        Size = _stream.Length + _buffered;
        return null;
    }

    public void Dispose()
    {
        try
        {
            Flush();
        }
        finally
        {
            _stream.Dispose();
        }
    }

    private void ShiftRotatedFiles()
    {
        if (_keep == 0)
        {
            File.Delete(_path);
            return;
        }
        // Overwriting name.log.keep is what drops the oldest file.
        for (var i = _keep - 1; i >= 1; i--)
        {
            var older = $"{_path}.{i}";
            if (File.Exists(older))
                File.Move(older, $"{_path}.{i + 1}", overwrite: true);
        }
        try
        {
            File.Move(_path, $"{_path}.1", overwrite: true);
        }
        catch (FileNotFoundException)
        {
            // Someone moved the file away (rotated it by hand): nothing to shift, the path is simply opened anew.
        }
    }

    private void WriteBuffer()
    {
        if (_buffered == 0)
            return;
        WriteToStream(_buffer.AsSpan(0, _buffered));
        // Cleared only after success: a transient failure (disk full) is retried by the next write or flush.
        _buffered = 0;
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        WriteToStream(bytes);
        Size += bytes.Length;
    }

    private void WriteToStream(ReadOnlySpan<byte> bytes)
    {
        try
        {
            _stream.Write(bytes);
        }
        catch (Exception e) when (IsIoFailure(e))
        {
            throw new LogWriteException(_path, "write", e);
        }
    }

    private static unsafe FileStream OpenStream(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        int fd;
        fixed (byte* p = bytes)
            fd = LibC.open(p, LibC.O_WRONLY | LibC.O_APPEND | LibC.O_CREAT | LibC.O_CLOEXEC | LibC.O_NOFOLLOW, CreateMode);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.ELOOP)
                throw new LogWriteException(path, "open", new IOException("it is a symbolic link, and a log file is never opened through one"),
                    "Remove the link (someone else may have planted it there), or set the process's log file to the real path.");
            throw new IOException(LibC.ErrorText(errno));
        }
        // Unbuffered: this class buffers itself and decides when bytes reach the OS.
        return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, bufferSize: 0);
    }

    private static byte LastByte(string path, long size)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> last = stackalloc byte[1];
        return RandomAccess.Read(handle, last, size - 1) == 1 ? last[0] : (byte)'\n';
    }

    private T Guard<T>(string action, Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception e) when (IsIoFailure(e))
        {
            throw new LogWriteException(_path, action, e);
        }
    }

    private static bool IsIoFailure(Exception e) =>
        e is (IOException or UnauthorizedAccessException) and not LogWriteException;
}
