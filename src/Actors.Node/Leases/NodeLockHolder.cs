using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Actors.Node.Leases;

/// <summary>Who holds a node lock: the record written into <c>node.lock</c> and refreshed by its heartbeat.</summary>
public sealed record NodeLockHolder(int Pid, long StartTime, string Host, DateTimeOffset StartedAt, DateTimeOffset Heartbeat)
{
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("pid", Pid);
            w.WriteNumber("start-time", StartTime);
            w.WriteString("host", Host);
            w.WriteString("started-at", Format(StartedAt));
            w.WriteString("heartbeat", Format(Heartbeat));
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Null for anything that is not a whole record: a power cut mid-write, an empty or foreign file.</summary>
    public static NodeLockHolder? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            using var document = JsonDocument.Parse(text);
            var r = document.RootElement;
            return new NodeLockHolder(
                r.GetProperty("pid").GetInt32(),
                r.GetProperty("start-time").GetInt64(),
                r.GetProperty("host").GetString() ?? "",
                DateTimeOffset.Parse(r.GetProperty("started-at").GetString()!, CultureInfo.InvariantCulture),
                DateTimeOffset.Parse(r.GetProperty("heartbeat").GetString()!, CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>"pid 1234 on host, up 3m, heartbeat 2s ago", as people read it.</summary>
    public string Describe(DateTimeOffset now) =>
        $"pid {Pid} on {Host}, up {Ago(now - StartedAt)}, heartbeat {Ago(now - Heartbeat)} ago";

    internal static string Ago(TimeSpan span)
    {
        // Wall clocks can step backwards: a heartbeat "from the future" is as fresh as can be.
        var s = Math.Max(0, span.TotalSeconds);
        return s switch
        {
            < 60 => $"{s:0}s",
            < 3600 => $"{s / 60:0}m",
            < 86400 => $"{s / 3600:0.#}h",
            _ => $"{s / 86400:0.#}d",
        };
    }

    private static string Format(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
