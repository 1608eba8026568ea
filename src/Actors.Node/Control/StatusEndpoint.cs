using Akka.Actor;
using Actors.Supervision;
using Microsoft.AspNetCore.Http;

namespace Actors.Node.Control;

/// <summary><c>GET /v1/status[?name=A&amp;name=B]</c>: the node and its processes, in declaration order.</summary>
internal static class StatusEndpoint
{
    /// <summary>Fresh from the supervisors (the unix socket: a CLI that just stopped something sees it stopped).</summary>
    public static Task HandleAsync(HttpContext ctx, IActorRef root, NodeInfo node) =>
        HandleAsync(ctx, names => root.Ask(new NodeSupervisor.GetNodeStatus(names), ControlApi.QueryTimeout), node);

    /// <param name="query">Answers <see cref="NodeSupervisor.NodeStatus"/> or <see cref="NodeSupervisor.UnknownProcesses"/> for the names (null: all).</param>
    public static async Task HandleAsync(HttpContext ctx, Func<IReadOnlyList<string>?, Task<object>> query, NodeInfo node)
    {
        var names = Query.Names(ctx);
        var answer = await query(names);
        if (answer is NodeSupervisor.UnknownProcesses unknown) throw ControlApi.Unknown(unknown);
        var status = (NodeSupervisor.NodeStatus)answer;
        var now = DateTimeOffset.UtcNow;
        await JsonResponse.WriteAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            StatusJson.WriteNode(w, node, now);
            w.WriteStartArray("processes");
            foreach (var process in status.Processes) StatusJson.WriteProcess(w, process, now);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}

/// <summary>Query-string parameters shared by the GET endpoints.</summary>
internal static class Query
{
    /// <summary>Repeated <c>name=</c> parameters; null when none (meaning every process).</summary>
    public static IReadOnlyList<string>? Names(HttpContext ctx)
    {
        var values = ctx.Request.Query["name"];
        if (values.Count == 0) return null;
        var names = new List<string>(values.Count);
        foreach (var value in values)
        {
            if (string.IsNullOrEmpty(value)) throw new ApiError(400, "empty name= parameter");
            names.Add(value);
        }
        return names;
    }

    public static int Int(HttpContext ctx, string key, int fallback, int min, int max)
    {
        var value = ctx.Request.Query[key];
        if (value.Count == 0) return fallback;
        if (!int.TryParse(value[0], out var n) || n < min || n > max)
            throw new ApiError(400, $"{key}={value[0]} is not a whole number from {min} to {max}");
        return n;
    }

    public static bool Flag(HttpContext ctx, string key)
    {
        var value = ctx.Request.Query[key];
        if (value.Count == 0) return false;
        return value[0] switch
        {
            "1" or "true" or "yes" or "" => true,
            "0" or "false" or "no" => false,
            _ => throw new ApiError(400, $"{key}={value[0]} must be true or false"),
        };
    }
}
