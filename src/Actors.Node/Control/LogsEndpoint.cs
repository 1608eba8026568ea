using System.Buffers;
using System.Text.Json;
using Akka.Actor;
using Actors.Logging;
using Actors.Supervision;
using Microsoft.AspNetCore.Http;

namespace Actors.Node.Control;

/// <summary>
/// <c>GET /v1/logs?name=A&amp;name=B|all=true&amp;n=50&amp;follow=true</c>: the last n lines of the merged output
/// (ordered by the time each line was read), then with follow every new line until the client goes or the
/// node stops. Newline-delimited JSON, one object per line: first <c>{"processes": [names]}</c> (so a client can
/// lay out its columns before the first line), then <c>{"name","seq","at","line"}</c> per line, and
/// <c>{"name","dropped"}</c> when a follower fell so far behind that lines left the in-memory tail.
/// A client that accepts <c>text/event-stream</c> (a browser's EventSource) gets the same objects as
/// Server-Sent Events, one <c>data:</c> event each.
/// </summary>
internal static class LogsEndpoint
{
    public const int DefaultLines = 50;
    private static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(100);

    public static async Task HandleAsync(HttpContext ctx, IActorRef root, CancellationToken nodeStopping)
    {
        var names = Query.Names(ctx);
        var all = Query.Flag(ctx, "all");
        if (names is null && !all) throw new ApiError(400, "name which logs: name=NAME (repeatable) or all=true");
        if (names is not null && all) throw new ApiError(400, "give either name= or all=true, not both");
        var n = Query.Int(ctx, "n", DefaultLines, 0, 1_000_000);
        var follow = Query.Flag(ctx, "follow");

        var answer = await root.Ask(new NodeSupervisor.ToProcesses(names, new ProcessSupervisor.GetLogTail(n)), ControlApi.QueryTimeout);
        if (answer is NodeSupervisor.UnknownProcesses unknown) throw ControlApi.Unknown(unknown);
        var tails = ((NodeSupervisor.ProcessReplies)answer).Replies.OfType<ProcessSupervisor.LogTailSnapshot>().ToArray();

        var framing = Framing.For(ctx);
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = framing.ContentType;
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        var backlog = new List<(LogLine Line, int Source)>();
        for (var i = 0; i < tails.Length; i++)
        {
            var lines = tails[i].Lines;
            seen[tails[i].Name] = lines.Count > 0 ? lines[^1].Sequence : tails[i].LastSequence;
            foreach (var line in lines) backlog.Add((line, i));
        }
        // One process's lines are already in order; across processes the time they were read decides.
        backlog.Sort((a, b) => a.Line.At != b.Line.At ? a.Line.At.CompareTo(b.Line.At) : a.Source != b.Source ? a.Source.CompareTo(b.Source) : a.Line.Sequence.CompareTo(b.Line.Sequence));
        await WriteHeaderAsync(ctx, framing, tails.Select(t => t.Name));
        await WriteAsync(ctx, framing, backlog.Skip(Math.Max(0, backlog.Count - n)).Select(x => (tails[x.Source].Name, x.Line)), null);
        if (!follow) return;

        var followed = names?.ToList(); // null: every process, whichever there are at each round
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, nodeStopping);
        while (!stop.IsCancellationRequested)
        {
            IReadOnlyList<ProcessSupervisor.LogTailSnapshot> news;
            try
            {
                await Task.Delay(FollowInterval, stop.Token);
                news = await NewLinesAsync(root, followed, seen, stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            var batch = new List<(string, LogLine)>();
            var dropped = new List<(string, long)>();
            foreach (var tail in news)
            {
                var lines = tail.Lines;
                // A process not seen before (a new copy after a scale, a process a reload added to --all): all it has.
                var last = seen.GetValueOrDefault(tail.Name, 0);
                if (lines.Count == 0) continue;
                if (lines[0].Sequence > last + 1) dropped.Add((tail.Name, lines[0].Sequence - last - 1));
                seen[tail.Name] = lines[^1].Sequence;
                foreach (var line in lines) batch.Add((tail.Name, line));
            }
            batch.Sort((a, b) => a.Item2.At.CompareTo(b.Item2.At));
            if (batch.Count > 0 || dropped.Count > 0) await WriteAsync(ctx, framing, batch, dropped);
        }
    }

    /// <summary>
    /// The lines each followed process printed since the last one seen (the tails live in their supervisors, which
    /// answer with copies). Asked by the names the client gave (null: every process), so what they mean now is
    /// followed: the copies a scale added, the processes a reload added; a name a reload removed is no longer asked
    /// for. A late answer is skipped this round.
    /// </summary>
    private static async Task<IReadOnlyList<ProcessSupervisor.LogTailSnapshot>> NewLinesAsync(IActorRef root, List<string>? names,
        Dictionary<string, long> seen, CancellationToken ct)
    {
        if (names is { Count: 0 }) return [];
        object answer;
        try
        {
            answer = await root.Ask(new NodeSupervisor.ToProcesses(names, new ProcessSupervisor.GetLogTail { After = new Dictionary<string, long>(seen) }),
                ControlApi.QueryTimeout, ct);
        }
        catch (AskTimeoutException)
        {
            return [];
        }
        if (answer is NodeSupervisor.UnknownProcesses unknown)
        {
            names!.RemoveAll(unknown.Unknown.Contains);
            return [];
        }
        return answer is NodeSupervisor.ProcessReplies replies ? replies.Replies.OfType<ProcessSupervisor.LogTailSnapshot>().ToList() : [];
    }

    /// <summary>How each JSON object is framed: a line of NDJSON, or a Server-Sent Event.</summary>
    private sealed record Framing(string ContentType, byte[] Before, byte[] After)
    {
        private static readonly Framing Ndjson = new("application/x-ndjson", [], "\n"u8.ToArray());
        private static readonly Framing Sse = new("text/event-stream", "data: "u8.ToArray(), "\n\n"u8.ToArray());

        public static Framing For(HttpContext ctx) =>
            ctx.Request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true) ? Sse : Ndjson;
    }

    private static async Task WriteHeaderAsync(HttpContext ctx, Framing framing, IEnumerable<string> names)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(framing.Before);
        using (var w = new Utf8JsonWriter(buffer, JsonResponse.Options))
        {
            w.WriteStartObject();
            w.WriteStartArray("processes");
            foreach (var name in names) w.WriteStringValue(name);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        buffer.Write(framing.After);
        await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ctx.RequestAborted);
    }

    private static async Task WriteAsync(HttpContext ctx, Framing framing, IEnumerable<(string Name, LogLine Line)> lines, List<(string Name, long Count)>? dropped)
    {
        var buffer = new ArrayBufferWriter<byte>(8192);
        var options = new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var w = new Utf8JsonWriter(buffer, options))
        {
            foreach (var (name, count) in dropped ?? [])
            {
                buffer.Write(framing.Before);
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteNumber("dropped", count);
                w.WriteEndObject();
                w.Flush();
                buffer.Write(framing.After);
                w.Reset();
            }
            foreach (var (name, line) in lines)
            {
                buffer.Write(framing.Before);
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteNumber("seq", line.Sequence);
                w.WriteString("at", StatusJson.Timestamp(line.At));
                w.WriteString("line", line.Text);
                w.WriteEndObject();
                w.Flush();
                buffer.Write(framing.After);
                w.Reset();
            }
        }
        await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ctx.RequestAborted);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
    }
}
