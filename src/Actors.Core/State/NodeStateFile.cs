using System.Globalization;
using System.Text;
using System.Text.Json;
using Actors.Native;
using Actors.Supervision;

namespace Actors.State;

/// <summary>
/// The node's <c>state.json</c>: per process, the operator's sticky stop and the restart count.
/// <code>{"version":1,"processes":{"web":{"kept-stopped":true,"stop-reason":"...","stopped-at":"2026-11-23T10:00:00.000Z","restarts":3}}}</code>
/// Written atomically (temp file, fsync, rename, fsync of the folder), so a crash leaves the old or the new
/// content, never half of one. Uses <see cref="Utf8JsonWriter"/> and <see cref="JsonDocument"/> only, no
/// reflection, so the node stays trimmable.
/// </summary>
public static class NodeStateFile
{
    public const int Version = 1;

    /// <summary>
    /// Reads the saved intents. A missing file is an empty state; a file that cannot be read or understood is
    /// also an empty state, with <paramref name="warning"/> saying why (for the caller to log): the node must
    /// start even when its state is damaged.
    /// </summary>
    public static IReadOnlyDictionary<string, SavedIntent> Load(string path, out string? warning)
    {
        warning = null;
        var empty = new Dictionary<string, SavedIntent>();
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return empty; // first run: nothing saved yet
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            warning = $"cannot read the state file {path} ({e.Message}); starting without saved state";
            return empty;
        }
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            return Parse(doc.RootElement);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            warning = $"the state file {path} is damaged ({e.Message}); starting without saved state";
            return empty;
        }
    }

    private static Dictionary<string, SavedIntent> Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("not a JSON object");
        if (!root.TryGetProperty("version", out var version) || version.GetInt32() != Version)
            throw new FormatException($"not version {Version}");
        var result = new Dictionary<string, SavedIntent>();
        if (!root.TryGetProperty("processes", out var processes)) return result;
        // GetX throws InvalidOperationException on a value of the wrong kind: reported as damage by Load.
        foreach (var entry in processes.EnumerateObject())
        {
            var p = entry.Value;
            bool kept = p.TryGetProperty("kept-stopped", out var k) && k.GetBoolean();
            string? reason = p.TryGetProperty("stop-reason", out var r) && r.ValueKind != JsonValueKind.Null ? r.GetString() : null;
            DateTimeOffset? at = p.TryGetProperty("stopped-at", out var a) && a.ValueKind != JsonValueKind.Null
                ? DateTimeOffset.Parse(a.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
                : null;
            int restarts = p.TryGetProperty("restarts", out var n) ? n.GetInt32() : 0;
            result[entry.Name] = new SavedIntent(kept, reason, at, Math.Max(0, restarts));
        }
        return result;
    }

    /// <summary>Replaces the file with <paramref name="intents"/> atomically; entries with nothing to keep are left out.</summary>
    /// <exception cref="IOException">The file or its folder cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to write there.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, SavedIntent> intents)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var json = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(writer, intents);
        AtomicFile.Replace(full, json.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, SavedIntent> intents)
    {
        writer.WriteStartObject();
        writer.WriteNumber("version", Version);
        writer.WriteStartObject("processes");
        foreach (var (name, intent) in intents.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (intent == SavedIntent.Default) continue;
            writer.WriteStartObject(name);
            writer.WriteBoolean("kept-stopped", intent.KeptStopped);
            if (intent.StopReason is { } reason) writer.WriteString("stop-reason", reason);
            if (intent.StoppedAt is { } at) writer.WriteString("stopped-at", at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            writer.WriteNumber("restarts", intent.Restarts);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
