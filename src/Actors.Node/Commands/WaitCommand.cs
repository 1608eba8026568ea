using System.Diagnostics;
using System.Text.Json;
using Actors.Configuration;
using Actors.Node.Client;

namespace Actors.Node.Commands;

/// <summary>
/// <c>actors wait NAME... | --all --until STATE [--timeout 60s]</c>: blocks until every named process is in STATE,
/// printing progress on stderr. Exit 0 when all are there, 124 at the timeout, 1 at once when one of them can no
/// longer get there by itself (it failed while awaited ready, say) — the primitive scripts and units need
/// between "the node started" and "the service answers" (kubectl wait, aspire wait).
/// </summary>
public static class WaitCommand
{
    public const string Usage = "actors wait NAME... | --all --until ready|running|completed|stopped|failed [--timeout 60s] [--socket PATH | --config FILE]";
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
    // The node answers a status in well under a millisecond over its socket; five looks a second cost nothing.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    // Between state changes, a progress line this often, so a long wait visibly lives.
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    public static Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        ClientVerb.RunAsync(Usage, args, stdout, stderr, (line, client) =>
        {
            var (target, timeout) = Options(line);
            var names = line.Has("--all") ? null : line.Positionals;
            if (line.Has("--all") && line.Positionals.Count > 0) throw new UsageException("give process names or --all, not both");
            if (names is { Count: 0 }) throw new UsageException("name at least one process, or --all");
            var query = "/v1/status" + (names is null ? "" : "?" + ClientVerb.NameQuery(names));
            return Wait(client, query, target, timeout, line.Value("--until")!, stdout, stderr, line.Json);
        }, valued: ["--until", "--timeout"], flags: ["--all"]);

    private static (WaitTarget Target, TimeSpan Timeout) Options(CommandLine line)
    {
        var until = line.Value("--until") ?? throw new UsageException($"--until is required: {WaitTargets.Names}");
        var target = WaitTargets.Parse(until) ?? throw new UsageException($"--until {until} is not a state to wait for; use {WaitTargets.Names}");
        var timeout = DefaultTimeout;
        if (line.Value("--timeout") is { } text && (!HoconScalars.TryDuration(text, out timeout) || timeout < TimeSpan.Zero))
            throw new UsageException($"--timeout {text} is not a duration; {HoconScalars.DurationHint} (0 checks once)");
        return (target, timeout);
    }

    private static int Wait(ControlClient client, string query, WaitTarget target, TimeSpan timeout, string until,
        TextWriter stdout, TextWriter stderr, bool json)
    {
        var clock = Stopwatch.StartNew();
        var shown = new Dictionary<string, string>();
        var lastProgress = TimeSpan.Zero;
        while (true)
        {
            var response = client.Send("GET", query);
            using var document = ClientVerb.Expect(response, stderr, 200);
            var processes = document.RootElement.GetProperty("processes").EnumerateArray().ToList();
            var verdicts = processes.Select(p => (Process: p, Verdict: WaitTargets.Judge(target, p))).ToList();
            var elapsed = clock.Elapsed;

            if (verdicts.FirstOrDefault(v => v.Verdict == WaitVerdict.Impossible).Process is { ValueKind: JsonValueKind.Object } lost)
            {
                stderr.WriteLine($"actors: {Name(lost)} is {State(lost)} ({lost.GetProperty("reason").GetString()}); it will not be {until} by itself");
                if (json) ClientVerb.WriteRaw(response, stdout);
                return ExitCodes.Failure;
            }
            if (verdicts.All(v => v.Verdict == WaitVerdict.Reached))
            {
                if (json) ClientVerb.WriteRaw(response, stdout);
                else foreach (var p in processes) stdout.WriteLine($"{Name(p)}: {State(p)}");
                return ExitCodes.Ok;
            }
            if (elapsed >= timeout)
            {
                var late = verdicts.Where(v => v.Verdict == WaitVerdict.Pending).Select(v => $"{Name(v.Process)} is {State(v.Process)}");
                stderr.WriteLine($"actors: timed out after {HumanTime.Format(timeout.TotalSeconds)} waiting for {until}: {string.Join(", ", late)}");
                if (json) ClientVerb.WriteRaw(response, stdout);
                return ExitCodes.TimedOut;
            }

            var periodic = elapsed - lastProgress >= ProgressInterval;
            foreach (var (p, verdict) in verdicts)
            {
                if (verdict == WaitVerdict.Reached) continue;
                var where = Where(p);
                if (!periodic && shown.GetValueOrDefault(Name(p)) == where) continue;
                shown[Name(p)] = where;
                stderr.WriteLine($"waiting for {Name(p)}: {State(p)} ({HumanTime.Format(elapsed.TotalSeconds)}){Why(p)}");
            }
            if (periodic) lastProgress = elapsed;
            stderr.Flush();
            var left = timeout - clock.Elapsed;
            Thread.Sleep(left < PollInterval ? left > TimeSpan.Zero ? left : TimeSpan.Zero : PollInterval);
        }
    }

    private static string Name(JsonElement p) => p.GetProperty("name").GetString()!;

    private static string State(JsonElement p) => p.GetProperty("state").GetString()!;

    /// <summary>What makes a progress line worth printing again: the state and, while waiting or backing off, why.</summary>
    private static string Where(JsonElement p) => State(p) + Why(p);

    private static string Why(JsonElement p) =>
        State(p) is "waiting" or "backing-off" && p.GetProperty("reason").GetString() is { Length: > 0 } reason ? $": {reason}" : "";
}
