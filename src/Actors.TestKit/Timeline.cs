using System.Globalization;
using System.Text;
using System.Text.Json;
using Actors.Supervision;

namespace Actors.TestKit;

/// <summary>How a simulation reads: a timeline of transitions, a summary per process, and the JSON of <c>--json</c>.</summary>
public static class Timeline
{
    /// <summary>Virtual time as hours:minutes:seconds.milliseconds since the start (hours go past 24).</summary>
    public static string Stamp(TimeSpan at) => string.Create(CultureInfo.InvariantCulture,
        $"{(long)at.TotalHours:00}:{at.Minutes:00}:{at.Seconds:00}.{at.Milliseconds:000}");

    /// <summary>One line per transition, names and states in aligned columns.</summary>
    public static string Format(IEnumerable<TrailEntry> trail)
    {
        var entries = trail.ToList();
        if (entries.Count == 0) return "  (no transitions)\n";
        int name = entries.Max(e => e.Process.Length), state = entries.Max(e => e.State.ToDisplay().Length);
        var text = new StringBuilder();
        foreach (var e in entries)
            text.Append("  ").Append(Stamp(e.At)).Append("  ").Append(e.Process.PadRight(name)).Append("  ")
                .Append(e.State.ToDisplay().PadRight(state)).Append("  ").Append(e.Reason).Append('\n');
        return text.ToString();
    }

    /// <summary>A table: starts, restarts, time backing off, time to ready, final state, whether and when the start limit gave up, reason.</summary>
    public static string Summary(IEnumerable<ProcessReport> processes)
    {
        string[] header = ["NAME", "STARTS", "RESTARTS", "BACKING-OFF", "READY-AFTER", "STATE", "GAVE-UP", "REASON"];
        var rows = processes.Select(p => new[]
        {
            p.Name,
            p.Starts.ToString(CultureInfo.InvariantCulture),
            p.Restarts.ToString(CultureInfo.InvariantCulture),
            Stamp(p.TimeIn(ProcessState.BackingOff)),
            p.TimeToReady is { } ready ? Stamp(ready) : "never",
            p.State.ToDisplay(),
            p.GaveUpAt is { } gaveUp ? "at " + Stamp(gaveUp) : "no",
            p.Reason,
        }).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(header))
        {
            text.Append("  ");
            for (int i = 0; i < row.Length; i++)
                text.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary><c>{"processes": [{"name", "starts", "restarts", "state", "reason", "trail": [{"at-s", "state", "reason"}]}]}</c>.</summary>
    public static string Json(IEnumerable<ProcessReport> processes)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        WriteJson(text, processes);
        return text.ToString();
    }

    /// <summary>
    /// The text of <see cref="Json"/>, written to <paramref name="output"/> a process at a time: a day of 100 processes
    /// is tens of megabytes, which need not be held as one string (and then copied) before it is printed.
    /// </summary>
    public static void WriteJson(TextWriter output, IEnumerable<ProcessReport> processes)
    {
        using var buffer = new MemoryStream();
        // Everything written so far goes out; the writer only flushes whole tokens, so no UTF-8 sequence is split.
        void Drain(Utf8JsonWriter json)
        {
            json.Flush();
            output.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            buffer.SetLength(0);
        }
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("processes");
            foreach (var p in processes)
            {
                json.WriteStartObject();
                json.WriteString("name", p.Name);
                json.WriteNumber("starts", p.Starts);
                json.WriteNumber("restarts", p.Restarts);
                json.WriteString("state", p.State.ToDisplay());
                json.WriteString("reason", p.Reason);
                json.WriteStartArray("trail");
                foreach (var t in p.Trail)
                {
                    json.WriteStartObject();
                    // Whole milliseconds as seconds: 41.5, not 41.500000001.
                    json.WriteNumber("at-s", Math.Round((decimal)t.At.Ticks / TimeSpan.TicksPerSecond, 3));
                    json.WriteString("state", t.State.ToDisplay());
                    json.WriteString("reason", t.Reason);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
                Drain(json);
            }
            json.WriteEndArray();
            json.WriteEndObject();
            Drain(json);
        }
        output.Write('\n');
    }
}
