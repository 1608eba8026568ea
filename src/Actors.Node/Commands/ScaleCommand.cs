using System.Globalization;
using System.Text.Json;
using Actors.Configuration;
using Actors.Node.Client;

namespace Actors.Node.Commands;

/// <summary>
/// <c>actors scale NAME COUNT</c>: run COUNT replicas of NAME. The missing ones start, the highest-numbered ones
/// beyond COUNT stop (highest first); answers once the new ones settled and the old ones are gone.
/// </summary>
public static class ScaleCommand
{
    public const string Usage = "actors scale NAME COUNT [--json] [--socket PATH | --config FILE]";

    public static Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        ClientVerb.RunAsync(Usage, args, stdout, stderr, (line, client) =>
        {
            if (line.Positionals.Count != 2) throw new UsageException("give one process name and a count, e.g. 'actors scale web 4'");
            var (name, countText) = (line.Positionals[0], line.Positionals[1]);
            if (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                throw new UsageException($"COUNT '{countText}' is not a whole number; give how many copies of {name} should run, e.g. 'actors scale {name} 4'");
            if (Replicas.ScaleRefusal(name, count) is { } refusal) throw new UsageException(refusal);
            var response = client.Send("POST", "/v1/scale", Body(name, count));
            using var document = ClientVerb.Expect(response, stderr, 200);
            if (line.Json)
            {
                ClientVerb.WriteRaw(response, stdout);
                return ExitCodes.Ok;
            }
            var root = document.RootElement;
            var started = Strings(root, "started");
            var stopped = Strings(root, "stopped");
            var from = root.GetProperty("from").GetInt32();
            stdout.WriteLine(from == count
                ? $"{name}: already {count} replica(s); nothing to do"
                : $"{name}: {from} -> {count} replica(s)" +
                  (started.Count > 0 ? $"; started {string.Join(", ", started)}" : "") +
                  (stopped.Count > 0 ? $"; stopped {string.Join(", ", stopped)}" : ""));
            return ExitCodes.Ok;
        });

    private static string Body(string name, int count)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteNumber("count", count);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static List<string> Strings(JsonElement root, string key) =>
        root.TryGetProperty(key, out var array) ? array.EnumerateArray().Select(e => e.GetString()!).ToList() : [];
}
