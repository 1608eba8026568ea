using System.Text.Json;
using Actors.Node.Client;

namespace Actors.Node.Commands;

/// <summary>
/// <c>actors reload</c>: the node re-reads its configuration file and applies the difference. An invalid file
/// is rejected whole: every problem is printed, nothing changes, exit 2.
/// </summary>
public static class ReloadCommand
{
    public const string Usage = "actors reload [--json] [--socket PATH | --config FILE]";

    public static Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        ClientVerb.RunAsync(Usage, args, stdout, stderr, (line, client) =>
        {
            if (line.Positionals.Count > 0) throw new UsageException("reload takes no process names; it applies the whole file");
            var response = client.Send("POST", "/v1/reload");
            using var document = ClientVerb.Expect(response, stderr, 200, 422);
            var root = document.RootElement;
            if (line.Json) ClientVerb.WriteRaw(response, stdout);
            if (response.Status == 422)
            {
                if (!line.Json)
                {
                    foreach (var problem in Strings(root, "problems")) stderr.WriteLine(problem);
                    foreach (var warning in Strings(root, "warnings")) stderr.WriteLine($"{warning} (warning)");
                    stderr.WriteLine($"actors: reload rejected: {root.GetProperty("error").GetString()}");
                }
                return ExitCodes.InvalidConfig;
            }
            if (line.Json) return ExitCodes.Ok;
            foreach (var warning in Strings(root, "warnings")) stderr.WriteLine($"{warning} (warning)");
            foreach (var key in new[] { "added", "removed", "changed" })
            {
                var names = Strings(root, key);
                if (names.Count > 0) stdout.WriteLine($"{key}: {string.Join(", ", names)}");
            }
            stdout.WriteLine($"unchanged: {Strings(root, "unchanged").Count} process(es), left running as they were");
            return ExitCodes.Ok;
        });

    private static List<string> Strings(JsonElement root, string key) =>
        root.TryGetProperty(key, out var array) ? array.EnumerateArray().Select(e => e.GetString()!).ToList() : [];
}
