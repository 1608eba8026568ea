namespace Actors.Processes;

/// <summary>
/// Bytes for the watchdog's pipe, kept in memory until the pipe takes them: <see cref="WatchdogLink"/> never blocks a
/// node thread on a watchdog that stopped reading.
/// </summary>
internal sealed class PendingBytes
{
    private byte[] _buffer = new byte[256];
    private int _start;

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(_start, Length);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_start + Length + bytes.Length > _buffer.Length)
        {
            var bigger = _buffer.Length >= Length + bytes.Length ? _buffer : new byte[Math.Max(_buffer.Length * 2, Length + bytes.Length)];
            Array.Copy(_buffer, _start, bigger, 0, Length);
            (_buffer, _start) = (bigger, 0);
        }
        bytes.CopyTo(_buffer.AsSpan(_start + Length));
        Length += bytes.Length;
    }

    public void Consume(int count)
    {
        _start += count;
        Length -= count;
        if (Length == 0) _start = 0;
    }

    public void Clear() => (_start, Length) = (0, 0);
}
