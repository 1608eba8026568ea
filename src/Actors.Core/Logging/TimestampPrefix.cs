using System.Globalization;

namespace Actors.Logging;

/// <summary>
/// The <c>2026-11-23T10:01:49.123Z </c> prefix of a log line, formatted once per millisecond: at a million lines
/// a second most lines share their millisecond, so formatting per line would dominate the cost.
/// </summary>
internal sealed class TimestampPrefix
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";

    private readonly byte[] _bytes = new byte[Format.Length + 8];
    private long _millisecond = long.MinValue;
    private int _length;

    public ReadOnlySpan<byte> For(DateTimeOffset now)
    {
        var millisecond = now.ToUnixTimeMilliseconds();
        if (millisecond != _millisecond)
        {
            now.UtcDateTime.TryFormat(_bytes, out _length, Format, CultureInfo.InvariantCulture);
            _millisecond = millisecond;
        }
        return _bytes.AsSpan(0, _length);
    }
}
