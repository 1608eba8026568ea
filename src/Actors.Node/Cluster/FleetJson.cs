using System.Text;
using System.Text.Json;
using Actors.Supervision;

namespace Actors.Node.Cluster;

/// <summary>
/// What a node publishes of its processes: one JSON object <c>{"at": TIME, "processes": [...]}</c>, each process with
/// its name, declared name, state, pid, running-since, restarts, last exit and reason. Times are absolute, so a reader
/// computes uptime against its own clock; the same names as <c>/v1/status</c>.
/// </summary>
internal static class FleetJson
{
    public static string Encode(IReadOnlyList<ProcessSupervisor.ProcessStatus> processes, DateTimeOffset at)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("at", at);
            w.WriteStartArray("processes");
            foreach (var p in processes)
            {
                w.WriteStartObject();
                w.WriteString("name", p.Name);
                w.WriteString("group", p.Replica?.Group ?? p.Name);
                w.WriteString("state", p.State.ToDisplay());
                if (p.Pid is { } pid) w.WriteNumber("pid", pid); else w.WriteNull("pid");
                if (p.RunningSince is { } since) w.WriteString("running-since", since); else w.WriteNull("running-since");
                w.WriteNumber("restarts", p.Restarts);
                w.WritePropertyName("last-exit");
                if (p.LastExit is { } exit)
                {
                    w.WriteStartObject();
                    if (exit.Code is { } code) w.WriteNumber("code", code); else w.WriteNull("code");
                    if (exit.Signal is { } signal) w.WriteString("signal", "SIG" + Configuration.Signals.NameOf(signal)); else w.WriteNull("signal");
                    w.WriteEndObject();
                }
                else w.WriteNullValue();
                w.WriteString("reason", p.Reason);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static DateTimeOffset? PublishedAt(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.TryGetProperty("at", out var at) && at.TryGetDateTimeOffset(out var t) ? t : null;
    }

    /// <summary>The names a node published with each process's state (as <c>status</c> shows it).</summary>
    public static Dictionary<string, string> States(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.GetProperty("processes").EnumerateArray())
            states[p.GetProperty("name").GetString()!] = p.GetProperty("state").GetString()!;
        return states;
    }

    /// <summary>The names (and declared names) a node published.</summary>
    public static IEnumerable<(string Name, string Group)> Names(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var list = new List<(string, string)>();
        foreach (var p in doc.RootElement.GetProperty("processes").EnumerateArray())
            list.Add((p.GetProperty("name").GetString()!, p.GetProperty("group").GetString()!));
        return list;
    }
}
