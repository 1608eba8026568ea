using System.Globalization;
using System.Text;

namespace Actors.Leases;

/// <summary>
/// The content of one lease file: who holds it (empty = released), the fencing token of the current (or last)
/// holding, the holder's last heartbeat (wall-clock UTC) and the TTL the holder promised to heartbeat within.
/// </summary>
public sealed record LeaseRecord(string Holder, long Token, DateTimeOffset Heartbeat, TimeSpan Ttl)
{
    public bool IsFree => Holder.Length == 0;

    /// <summary>Whether the holder's heartbeat is older than its TTL at <paramref name="now"/> (wall clock).</summary>
    public bool IsExpired(DateTimeOffset now) => now - Heartbeat > Ttl;

    /// <summary>Plain key=value lines: readable with cat, and a torn or foreign file never parses by accident.</summary>
    public string Format() =>
        $"holder={Holder}\ntoken={Token.ToString(CultureInfo.InvariantCulture)}\n" +
        $"heartbeat={Heartbeat.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}\n" +
        $"ttl-ms={((long)Ttl.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}\nend\n";

    /// <summary>Null when <paramref name="text"/> is not a complete record (truncated, corrupt, empty).</summary>
    public static LeaseRecord? Parse(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        // The "end" line is written last: a file without it was cut short.
        if (!lines.Contains("end")) return null;
        foreach (var line in lines)
        {
            var eq = line.IndexOf('=');
            if (eq > 0) fields[line[..eq]] = line[(eq + 1)..];
        }
        if (!fields.TryGetValue("holder", out var holder)
            || !fields.TryGetValue("token", out var tokenText) || !long.TryParse(tokenText, NumberStyles.None, CultureInfo.InvariantCulture, out var token)
            || !fields.TryGetValue("heartbeat", out var beatText)
            || !DateTimeOffset.TryParse(beatText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var beat)
            || !fields.TryGetValue("ttl-ms", out var ttlText) || !long.TryParse(ttlText, NumberStyles.None, CultureInfo.InvariantCulture, out var ttlMs))
            return null;
        return new LeaseRecord(holder, token, beat, TimeSpan.FromMilliseconds(ttlMs));
    }

    /// <summary>Holder ids go on one line of the file: line breaks and '=' are replaced.</summary>
    public static string CleanHolder(string owner)
    {
        var b = new StringBuilder(owner.Length);
        foreach (var c in owner) b.Append(c is '\n' or '\r' ? ' ' : c);
        return b.ToString().Trim();
    }
}
