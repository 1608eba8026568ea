using Actors.Node.Client;

namespace Actors.Node.Commands;

/// <summary>
/// What start, stop and restart share: send the verb for the named processes (or --all), then print one line per
/// process once each has settled. Exit 1 if any did not end where the verb meant it to.
/// </summary>
internal static class ProcessVerb
{
    public static Task<int> ExecuteAsync(string verb, string[] args, TextWriter stdout, TextWriter stderr)
    {
        var usage = $"actors {verb} NAME... | --all [--json] [--socket PATH | --config FILE]";
        return ClientVerb.RunAsync(usage, args, stdout, stderr, (line, client) =>
        {
            var response = client.Send("POST", $"/v1/{verb}", ClientVerb.Targets(line, usage));
            return ResultPrinter.Print(response, line, stdout, stderr);
        }, flags: ["--all"]);
    }
}

/// <summary>Prints the <c>results</c> of a process command: <c>name: message</c>, failures on stderr.</summary>
internal static class ResultPrinter
{
    public static int Print(ApiResponse response, CommandLine line, TextWriter stdout, TextWriter stderr)
    {
        using var document = ClientVerb.Expect(response, stderr, 200);
        var results = document.RootElement.GetProperty("results").EnumerateArray().ToList();
        var allOk = results.All(r => r.GetProperty("ok").GetBoolean());
        if (line.Json)
        {
            ClientVerb.WriteRaw(response, stdout);
            return allOk ? ExitCodes.Ok : ExitCodes.Failure;
        }
        foreach (var result in results)
        {
            var text = $"{result.GetProperty("name").GetString()}: {result.GetProperty("message").GetString()}";
            (result.GetProperty("ok").GetBoolean() ? stdout : stderr).WriteLine(text);
        }
        return allOk ? ExitCodes.Ok : ExitCodes.Failure;
    }
}
