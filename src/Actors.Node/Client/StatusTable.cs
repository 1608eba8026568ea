using System.Text.Json;

namespace Actors.Node.Client;

/// <summary>Renders the JSON of <c>GET /v1/status</c> for people: a header line, one row per process, trails on request.</summary>
internal static class StatusTable
{
    private static readonly string[] Headers = ["NAME", "STATE", "PID", "UPTIME", "RESTARTS", "LAST EXIT", "REASON"];

    public static void Write(JsonElement root, TextWriter stdout, Terminal terminal, bool withTrails)
    {
        var node = root.GetProperty("node");
        var processes = root.GetProperty("processes").EnumerateArray().ToList();
        stdout.WriteLine($"node pid {node.GetProperty("pid").GetInt32()}, up {HumanTime.Format(node.GetProperty("uptime-s").GetDouble())}, " +
                         $"{node.GetProperty("config").GetString() ?? "built-in demo configuration"}, {processes.Count} process(es)");
        var rows = processes.Select(p => Row(p)).ToList();
        var widths = Headers.Select((h, i) => Math.Max(h.Length, rows.Select(r => r.Cells[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        stdout.WriteLine(Line(Headers, widths, terminal.Width));
        foreach (var (cells, state) in rows)
        {
            var text = Line(cells, widths, terminal.Width);
            // Colour after padding, so escape codes do not upset the column widths.
            var column = widths[0] + 2;
            stdout.WriteLine(text.Length < column + cells[1].Length ? text
                : text[..column] + terminal.State(state, cells[1]) + text[(column + cells[1].Length)..]);
        }
        if (!withTrails) return;
        foreach (var process in processes)
        {
            stdout.WriteLine();
            var description = process.GetProperty("description").GetString();
            stdout.WriteLine($"{process.GetProperty("name").GetString()}{Replica(process)}{(string.IsNullOrEmpty(description) ? "" : $" - {description}")}");
            // Older nodes have no "exec".
            if (process.TryGetProperty("exec", out var exec) && exec.ValueKind == JsonValueKind.Object)
                stdout.WriteLine($"  runs with: {exec.GetProperty("summary").GetString()}");
            if (process.TryGetProperty("lease", out var lease) && lease.ValueKind == JsonValueKind.Object)
                stdout.WriteLine($"  lease: {Lease(lease)}");
            if (process.TryGetProperty("probes", out var probes))
                foreach (var probe in probes.EnumerateArray())
                    stdout.WriteLine($"  probe {probe.GetProperty("role").GetString()} ({probe.GetProperty("type").GetString()}): {Passing(probe.GetProperty("passing"))}" +
                                     (probe.GetProperty("last-check").GetString() is { } check ? $", last check: {check}" : ""));
            foreach (var t in process.GetProperty("trail").EnumerateArray())
                stdout.WriteLine($"  {t.GetProperty("at").GetString()}  {t.GetProperty("state").GetString(),-11}  {t.GetProperty("reason").GetString()}");
        }
    }

    /// <summary>"web, held by this node (token 3)", "web, held by host:4242 (token 2)", "web, free (token 2)": the token is the fencing token.</summary>
    private static string Lease(JsonElement lease)
    {
        var token = lease.GetProperty("token").GetInt64();
        var holder = lease.GetProperty("held").GetBoolean() ? "held by this node"
            : lease.GetProperty("holder").GetString() is { } other ? $"held by {other}" : "free";
        return $"{lease.GetProperty("name").GetString()}, {holder}{(token > 0 ? $" (token {token})" : "")}";
    }

    private static (string[] Cells, string State) Row(JsonElement p)
    {
        var state = p.GetProperty("state").GetString()!;
        var stateText = p.GetProperty("next-start-in-s") is { ValueKind: JsonValueKind.Number } next ? $"{state} {HumanTime.Format(next.GetDouble())}"
            // How long it has been waiting (for its dependencies or its lease).
            : state == "waiting" && p.TryGetProperty("state-for-s", out var since) && since.ValueKind == JsonValueKind.Number ? $"{state} {HumanTime.Format(since.GetDouble())}"
            : state;
        return ([
            p.GetProperty("name").GetString()!,
            stateText,
            p.GetProperty("pid") is { ValueKind: JsonValueKind.Number } pid ? pid.GetInt32().ToString() : "-",
            p.GetProperty("uptime-s") is { ValueKind: JsonValueKind.Number } up ? HumanTime.Format(up.GetDouble()) : "-",
            p.GetProperty("restarts").GetInt32().ToString(),
            LastExit(p.GetProperty("last-exit")),
            (p.GetProperty("reason").GetString() ?? "") + LogError(p),
        ], state);
    }

    // " (replica 2 of 3 of web)" for a copy of a process with replicas; nothing for a single process (or an older node).
    private static string Replica(JsonElement p) =>
        p.TryGetProperty("replica", out var r) && r.ValueKind == JsonValueKind.Object && r.GetProperty("count").GetInt32() > 1
            ? $" (replica {r.GetProperty("index").GetInt32()} of {r.GetProperty("count").GetInt32()} of {r.GetProperty("of").GetString()})"
            : "";

    // Older nodes have no "log-error": read it only when there.
    private static string LogError(JsonElement p) =>
        p.TryGetProperty("log-error", out var error) && error.GetString() is { } text ? $" (log: {text})" : "";

    private static string Passing(JsonElement passing) => passing.ValueKind switch
    {
        JsonValueKind.True => "passing",
        JsonValueKind.False => "failing",
        _ => "not decided",
    };

    private static string LastExit(JsonElement exit) => exit.ValueKind != JsonValueKind.Object ? "-"
        : exit.GetProperty("code") is { ValueKind: JsonValueKind.Number } code ? $"code {code.GetInt32()}"
        : exit.GetProperty("signal").GetString() ?? "-";

    private static string Line(string[] cells, int[] widths, int? maxWidth)
    {
        var text = string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i])));
        return maxWidth is { } max && text.Length > max ? text[..(max - 1)] + "…" : text;
    }
}
