using System.Text.Json;
using Akka.Actor;
using Actors.Configuration;
using Actors.Supervision;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Actors.Node.Control;

/// <summary>
/// <c>POST /v1/scale</c> with <c>{"name": "web", "count": 5}</c>: 200 <c>{"name", "from", "to", "started", "stopped"}</c>
/// once the new replicas settled and the stopped ones are gone; 400 for a count out of range (0 says to use stop),
/// 404 for an unknown name, 409 when the process cannot be scaled (a job, its own log.file, a replica's name).
/// </summary>
internal static class ScaleEndpoint
{
    private const string Expected = "{\"name\": \"NAME\", \"count\": N}";

    public static async Task HandleAsync(HttpContext ctx, IActorRef root, IHostApplicationLifetime lifetime)
    {
        var body = await RequestBody.ReadObjectAsync(ctx, Expected);
        var name = RequestBody.OptionalString(body, "name");
        if (string.IsNullOrEmpty(name))
            throw new ApiError(400, $"no \"name\" given; expected {Expected}");
        if (!body.TryGetProperty("count", out var countValue) || countValue.ValueKind != JsonValueKind.Number || !countValue.TryGetInt32(out var count))
            throw new ApiError(400, $"\"count\" must be a whole number; expected {Expected}");
        if (Replicas.ScaleRefusal(name, count) is { } refusal)
            throw new ApiError(400, refusal);
        if (lifetime.ApplicationStopping.IsCancellationRequested)
            throw new ApiError(503, "the node is shutting down");
        // The supervisors bound every wait (stop timeouts, settling); this only guards against a lost answer.
        var answer = await root.Ask(new NodeSupervisor.Scale(name, count), TimeSpan.FromHours(1), ctx.RequestAborted);
        switch (answer)
        {
            case NodeSupervisor.UnknownProcesses unknown:
                throw ControlApi.Unknown(unknown);
            case NodeSupervisor.ScaleRefused refused:
                throw new ApiError(409, $"cannot scale {name}: {refused.Reason}");
        }
        var scaled = (NodeSupervisor.Scaled)answer;
        await JsonResponse.WriteAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("name", scaled.Name);
            w.WriteNumber("from", scaled.From);
            w.WriteNumber("to", scaled.To);
            WriteList(w, "started", scaled.Started);
            WriteList(w, "stopped", scaled.Stopped);
            w.WriteEndObject();
        });
    }

    private static void WriteList(Utf8JsonWriter w, string key, IEnumerable<string> items)
    {
        w.WriteStartArray(key);
        foreach (var item in items) w.WriteStringValue(item);
        w.WriteEndArray();
    }
}
