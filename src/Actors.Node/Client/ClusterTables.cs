using System.Globalization;
using System.Text.Json;

namespace Actors.Node.Client;

/// <summary>Renders <c>GET /v1/cluster/status</c> and <c>GET /v1/cluster/members</c> for people.</summary>
internal static class ClusterTables
{
    private static readonly string[] StatusHeaders = ["NODE", "NAME", "STATE", "PID", "UPTIME", "RESTARTS", "REASON"];
    private static readonly string[] MemberHeaders = ["NODE", "STATUS", "REACHABLE", "ROLES", ""];

    /// <summary>One row per process of every node (only <paramref name="names"/>, or their copies, when given).</summary>
    public static void WriteStatus(JsonElement root, TextWriter stdout, Terminal terminal, IReadOnlyCollection<string> names)
    {
        WriteSummary(root, stdout);
        var rows = new List<string[]>();
        foreach (var node in root.GetProperty("nodes").EnumerateArray())
        {
            var nodeName = node.GetProperty("node").GetString()!;
            var reachable = node.GetProperty("reachable").GetBoolean();
            var processes = node.GetProperty("processes").EnumerateArray().ToList();
            if (processes.Count == 0 && names.Count == 0)
                rows.Add([nodeName, "-", node.GetProperty("published-at").ValueKind == JsonValueKind.Null ? "(no status yet)" : "(no processes)", "-", "-", "-", ""]);
            foreach (var p in processes)
            {
                var name = p.GetProperty("name").GetString()!;
                if (names.Count > 0 && !names.Contains(name) && !names.Contains(p.GetProperty("group").GetString()!)) continue;
                rows.Add([
                    nodeName,
                    name,
                    p.GetProperty("state").GetString()! + (reachable ? "" : " (unreachable)"),
                    p.GetProperty("pid") is { ValueKind: JsonValueKind.Number } pid ? pid.GetInt32().ToString(CultureInfo.InvariantCulture) : "-",
                    p.GetProperty("uptime-s") is { ValueKind: JsonValueKind.Number } up ? HumanTime.Format(up.GetDouble()) : "-",
                    p.GetProperty("restarts").GetInt32().ToString(CultureInfo.InvariantCulture),
                    p.GetProperty("reason").GetString() ?? "",
                ]);
            }
        }
        WriteRows(StatusHeaders, rows, stdout, terminal);
    }

    public static void WriteMembers(JsonElement root, TextWriter stdout, Terminal terminal)
    {
        WriteSummary(root, stdout);
        var rows = root.GetProperty("members").EnumerateArray().Select(m => new[]
        {
            m.GetProperty("node").GetString()!,
            m.GetProperty("status").GetString()!,
            m.GetProperty("reachable").GetBoolean() ? "yes" : "no",
            string.Join(",", m.GetProperty("roles").EnumerateArray().Select(r => r.GetString())) is { Length: > 0 } roles ? roles : "-",
            string.Join(" ", new[] { m.GetProperty("leader").GetBoolean() ? "leader" : null, m.GetProperty("self").GetBoolean() ? "(this node)" : null }.Where(s => s is not null)),
        }).ToList();
        WriteRows(MemberHeaders, rows, stdout, terminal);
    }

    // Older nodes do not say how they join: seed nodes.
    private static string Through(JsonElement root) =>
        root.TryGetProperty("joins-through", out var through) && through.GetString() == "bootstrap" ? "contact point(s)" : "seed node(s)";

    private static void WriteSummary(JsonElement root, TextWriter stdout)
    {
        var self = root.GetProperty("self").GetString();
        if (!root.GetProperty("joined").GetBoolean())
        {
            var waiting = root.GetProperty("waiting-for").EnumerateArray().Select(s => s.GetString()).ToList();
            stdout.WriteLine($"{self} has not joined the cluster yet" + (waiting.Count > 0 ? $": waiting for {Through(root)} {string.Join(", ", waiting)}" : ""));
            return;
        }
        var leader = root.GetProperty("leader").GetString() ?? "(none)";
        var formed = root.GetProperty("formed").GetBoolean() ? "formed" : $"forming (min-nr-of-members {root.GetProperty("min-nr-of-members").GetInt32()})";
        stdout.WriteLine($"cluster seen from {self}: {formed}, leader {leader}");
    }

    private static void WriteRows(string[] headers, List<string[]> rows, TextWriter stdout, Terminal terminal)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        foreach (var cells in rows.Prepend(headers))
        {
            var text = string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
            stdout.WriteLine(terminal.Width is { } max && text.Length > max ? text[..(max - 1)] + "…" : text);
        }
    }
}
