using System.Text.Json;

namespace Actors.Processes;

/// <summary>
/// One child in the pid registry: <c>&lt;state-dir&gt;/pids/&lt;pid&gt;.json</c>, for example
/// <code>{"version":1,"name":"web","pid":123,"pgid":123,"start-time":4567,"boot-id":"…","node-pid":99,"node-start-time":4000}</code>
/// The start time (clock ticks since boot) proves a live pid is still the recorded process; the boot id
/// makes entries from before a reboot stale at once (start times restart at zero); the node's pid and
/// start time say whose child it was. Written with <see cref="Utf8JsonWriter"/> and read with
/// <see cref="JsonDocument"/> only (no reflection: the node stays trimmable).
/// </summary>
public sealed record PidEntry(string Name, int Pid, int Pgid, long StartTime, string BootId, int NodePid, long NodeStartTime)
{
    public const int Version = 1;

    /// <summary>The entry as UTF-8 JSON, one line.</summary>
    public byte[] ToJson()
    {
        using var buffer = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", Version);
            writer.WriteString("name", Name);
            writer.WriteNumber("pid", Pid);
            writer.WriteNumber("pgid", Pgid);
            writer.WriteNumber("start-time", StartTime);
            writer.WriteString("boot-id", BootId);
            writer.WriteNumber("node-pid", NodePid);
            writer.WriteNumber("node-start-time", NodeStartTime);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Reads an entry written by <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">Not such an entry (truncated, damaged, another version); says why.</exception>
    public static PidEntry Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("not a JSON object");
            if (Required(root, "version").GetInt32() != Version) throw new FormatException($"not version {Version}");
            var entry = new PidEntry(
                Required(root, "name").GetString()!,
                Required(root, "pid").GetInt32(),
                Required(root, "pgid").GetInt32(),
                Required(root, "start-time").GetInt64(),
                Required(root, "boot-id").GetString()!,
                Required(root, "node-pid").GetInt32(),
                Required(root, "node-start-time").GetInt64());
            // Never signal pid 0, 1 or a negative pid (kill(-1) reaches every process we may signal).
            if (entry.Pid <= 1) throw new FormatException($"impossible pid {entry.Pid}");
            // Every child leads its own group; the start time check on the pid only vouches for that group.
            if (entry.Pgid != entry.Pid) throw new FormatException($"pgid {entry.Pgid} is not the pid {entry.Pid}");
            return entry;
        }
        // GetX throws InvalidOperationException on a value of the wrong kind, FormatException when out of range.
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new FormatException(e.Message, e);
        }
    }

    private static JsonElement Required(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? value : throw new FormatException($"no \"{name}\"");
}
