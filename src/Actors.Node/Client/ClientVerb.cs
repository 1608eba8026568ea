using System.Text.Json;

namespace Actors.Node.Client;

/// <summary>An answer of the node that ends the verb with this exit code (its message is already printed).</summary>
internal sealed class VerbFailedException(int exitCode) : Exception
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// What every client verb shares: parsing, finding the node, and turning each kind of failure into one line
/// on stderr and its documented exit code, never a stack trace.
/// </summary>
internal static class ClientVerb
{
    public static Task<int> RunAsync(
        string usage, string[] args, TextWriter stdout, TextWriter stderr,
        Func<CommandLine, ControlClient, int> body,
        string[]? valued = null, string[]? flags = null)
    {
        CommandLine line;
        ControlClient client;
        try
        {
            line = CommandLine.Parse(args, valued, flags);
            client = new ControlClient(SocketLocator.Locate(line));
            return Task.FromResult(body(line, client));
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"actors: {e.Message}");
            stderr.WriteLine($"usage: {usage}");
            return Task.FromResult(ExitCodes.Usage);
        }
        catch (NodeUnreachableException e)
        {
            stderr.WriteLine($"actors: {e.Message}");
            return Task.FromResult(ExitCodes.NoNode);
        }
        catch (VerbFailedException e)
        {
            return Task.FromResult(e.ExitCode);
        }
        catch (IOException e)
        {
            stderr.WriteLine($"actors: the connection to the node broke: {e.Message}");
            return Task.FromResult(ExitCodes.Failure);
        }
    }

    /// <summary>
    /// Parses a JSON answer; an error status is printed (with the names a 404 knows) and ends the verb:
    /// 404 unknown process → 4, 403 (this user may not use the node) → 3, anything else → 1.
    /// </summary>
    public static JsonDocument Expect(ApiResponse response, TextWriter stderr, params int[] okStatuses)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(response.Body);
        }
        catch (JsonException)
        {
            stderr.WriteLine($"actors: the node answered {response.Status} with something that is not JSON");
            throw new VerbFailedException(ExitCodes.Failure);
        }
        if (okStatuses.Contains(response.Status)) return document;
        using (document)
            throw Fail(response.Status, document.RootElement, stderr);
    }

    public static VerbFailedException Fail(int status, JsonElement error, TextWriter stderr)
    {
        var message = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("error", out var e) ? e.GetString() : null;
        stderr.WriteLine($"actors: {message ?? $"the node answered {status}"}");
        var unknown = status == 404 && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("unknown", out _);
        // 403: the node refuses this user (PeerCheck), the same case as a socket this user may not open.
        return new VerbFailedException(unknown ? ExitCodes.UnknownProcess : status == 403 ? ExitCodes.NoNode : ExitCodes.Failure);
    }

    /// <summary>Prints the body as the node sent it: the stable, documented JSON.</summary>
    public static void WriteRaw(ApiResponse response, TextWriter stdout) =>
        stdout.Write(System.Text.Encoding.UTF8.GetString(response.Body));

    /// <summary>Names to the JSON the process commands take: <c>{"names": [...]}</c> or <c>{"all": true}</c>.</summary>
    public static string Targets(CommandLine line, string usage)
    {
        var all = line.Has("--all");
        if (all && line.Positionals.Count > 0) throw new UsageException("give process names or --all, not both");
        if (!all && line.Positionals.Count == 0) throw new UsageException("name at least one process, or --all");
        return all ? "{\"all\":true}" : JsonSerializerLite.Names(line.Positionals);
    }

    /// <summary>The query string for names: <c>?name=a&amp;name=b</c>.</summary>
    public static string NameQuery(IEnumerable<string> names) =>
        string.Join("&", names.Select(n => "name=" + Uri.EscapeDataString(n)));
}

/// <summary>Tiny JSON writing for request bodies, without the reflection serializer's start-up cost.</summary>
internal static class JsonSerializerLite
{
    public static string Names(IEnumerable<string> names, params (string Key, object Value)[] extra)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("names");
            foreach (var name in names) w.WriteStringValue(name);
            w.WriteEndArray();
            foreach (var (key, value) in extra)
            {
                if (value is bool b) w.WriteBoolean(key, b);
                else w.WriteString(key, value.ToString());
            }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
