using System.Buffers;

namespace Actors.Logging;

/// <summary>
/// One open log file: an append stream with our own write buffer, its size, and size rotation
/// (<c>name.log</c> → <c>name.log.1</c> … <c>name.log.keep</c>). Every I/O failure becomes a
/// <see cref="LogWriteException"/> naming the file. Only regular files rotate. Not thread-safe: <see cref="ProcessLogWriter"/> locks.
/// </summary>
internal sealed class LogFile : IDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly string _path;
    private readonly int _keep;
    private readonly bool _rotatable;
    private FileStream _stream;
    private byte[]? _buffer;
    private int _buffered;

    public LogFile(string path, int keep)
    {
        _path = path;
        _keep = keep;
        _stream = Guard("open", () => OpenStream(path));
        _rotatable = FileKind.IsRegularFile(path);
        Size = _rotatable ? _stream.Length : 0;
        EndedMidLine = _rotatable && Size > 0 && Guard("read", () => LastByte(path, Size)) != (byte)'\n';
    }

    /// <summary>Bytes in the current file, including bytes still in the buffer.</summary>
    public long Size { get; private set; }

    /// <summary>The existing file did not end with a newline (e.g. the node was killed mid-line).</summary>
    public bool EndedMidLine { get; }

    public void Append(ReadOnlySpan<byte> bytes)
    {
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
    /// Shifts the rotated files and starts an empty file. If shifting fails, writing goes on in the current file
    /// (no output is lost) and the error is thrown once the caller has finished its chunk.
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
        _stream.Dispose();
        LogWriteException? failure = null;
        try
        {
            ShiftRotatedFiles();
        }
        catch (Exception e) when (IsIoFailure(e))
        {
            failure = new LogWriteException(_path, "rotate", e);
        }
        _stream = Guard("open", () => OpenStream(_path));
        // After a failed rotation the next attempt comes after another max-size, not on every line.
        Size = failure is null ? _stream.Length : 0;
        return failure;
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
        File.Move(_path, $"{_path}.1", overwrite: true);
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

    private static FileStream OpenStream(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Unbuffered: this class buffers itself and decides when bytes reach the OS.
        return new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
        });
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
