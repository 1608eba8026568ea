using Akka.Actor;
using Actors.Supervision;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.Node.Control;

/// <summary>
/// The control API: HTTP/JSON on the node's unix socket. Every request becomes a message to the root
/// supervisor, and every answer comes from the actor that owns the state. Routes (all JSON):
/// <c>GET /v1/status</c>, <c>POST /v1/start|stop|restart|signal</c>, <c>POST /v1/scale</c>, <c>POST /v1/reload</c>,
/// <c>POST /v1/shutdown</c>, <c>GET /v1/logs</c> (newline-delimited JSON, streamed with follow=true), and in a cluster
/// <c>GET /v1/cluster/status</c> and <c>GET /v1/cluster/members</c>.
/// </summary>
internal sealed class ControlApi(
    Func<IActorRef> root,
    NodeInfo node,
    ReloadService reload,
    Cluster.ClusterAccess cluster,
    IHostApplicationLifetime lifetime,
    ILogger<ControlApi> log)
{
    /// <summary>Queries answer fast; an actor that does not answer in this time is stuck or the node is going down.</summary>
    internal static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The routes that change state: the HTTP listener wants the bearer token for them.</summary>
    internal static bool ChangesState(string? path) =>
        path is "/v1/start" or "/v1/stop" or "/v1/restart" or "/v1/signal" or "/v1/scale" or "/v1/reload" or "/v1/shutdown";

    /// <summary>The unix socket's handler: every route, no token.</summary>
    public Task HandleAsync(HttpContext ctx) => GuardAsync(ctx, () => RouteAsync(ctx));

    /// <summary>The API's routes, for callers that decided the request may have them (the HTTP listener checks its token first).</summary>
    public async Task RouteAsync(HttpContext ctx)
    {
        switch (ctx.Request.Method, ctx.Request.Path.Value)
        {
            case ("GET", "/v1/status"):
                await StatusEndpoint.HandleAsync(ctx, root(), node);
                break;
            case ("POST", "/v1/start" or "/v1/stop" or "/v1/restart" or "/v1/signal"):
                await new ProcessCommands(root(), lifetime, cluster).HandleAsync(ctx, ctx.Request.Path.Value![4..]);
                break;
            case ("POST", "/v1/scale"):
                await ScaleEndpoint.HandleAsync(ctx, root(), lifetime);
                break;
            case ("POST", "/v1/reload"):
                await ReloadEndpoint.HandleAsync(ctx, reload);
                break;
            case ("POST", "/v1/shutdown"):
                await ShutdownAsync(ctx);
                break;
            case ("GET", "/v1/cluster/status"):
                await ClusterEndpoints.StatusAsync(ctx, cluster);
                break;
            case ("GET", "/v1/cluster/members"):
                await ClusterEndpoints.MembersAsync(ctx, cluster);
                break;
            case ("GET", "/v1/logs"):
                await LogsEndpoint.HandleAsync(ctx, root(), lifetime.ApplicationStopping);
                break;
            case (_, "/v1/status" or "/v1/start" or "/v1/stop" or "/v1/restart" or "/v1/signal" or "/v1/scale" or "/v1/reload" or "/v1/shutdown" or "/v1/logs" or "/v1/cluster/status" or "/v1/cluster/members"):
                throw new ApiError(405, $"{ctx.Request.Method} is not allowed on {ctx.Request.Path}");
            default:
                throw new ApiError(404, $"no endpoint {ctx.Request.Method} {ctx.Request.Path}; the endpoints are listed in README.md (Control API)");
        }
    }

    /// <summary>Runs a handler and turns what it throws into one JSON error line with the right status.</summary>
    public async Task GuardAsync(HttpContext ctx, Func<Task> handler)
    {
        try
        {
            await handler();
        }
        catch (ApiError e) when (!ctx.Response.HasStarted)
        {
            await JsonResponse.WriteErrorAsync(ctx, e.Status, e.Message, e.Extra);
        }
        catch (BadHttpRequestException e) when (!ctx.Response.HasStarted)
        {
            await JsonResponse.WriteErrorAsync(ctx, e.StatusCode, e.Message);
        }
        catch (AskTimeoutException) when (!ctx.Response.HasStarted)
        {
            await JsonResponse.WriteErrorAsync(ctx, 503, "the node did not answer in time; it may be shutting down");
        }
        catch (Exception) when (lifetime.ApplicationStopping.IsCancellationRequested && !ctx.Response.HasStarted)
        {
            await JsonResponse.WriteErrorAsync(ctx, 503, "the node is shutting down");
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away (Ctrl-C on logs -f): nothing to answer.
        }
        catch (Exception e) when (!ctx.Response.HasStarted)
        {
            log.LogError(e, "control API: {Method} {Path} failed", ctx.Request.Method, ctx.Request.Path);
            await JsonResponse.WriteErrorAsync(ctx, 500, $"internal error: {e.Message} (details in the node's log)");
        }
    }

    private async Task ShutdownAsync(HttpContext ctx)
    {
        log.LogInformation("shutdown requested through the control API");
        // Stop only once the answer is out, so the client learns the pid it has to wait for.
        ctx.Response.OnCompleted(() =>
        {
            lifetime.StopApplication();
            return Task.CompletedTask;
        });
        await JsonResponse.WriteAsync(ctx, 202, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("pid", node.Pid);
            w.WriteNumber("shutdown-timeout-s", reload.ShutdownTimeout.TotalSeconds);
            w.WriteEndObject();
        });
    }

    /// <summary>Turns an <see cref="NodeSupervisor.UnknownProcesses"/> answer into the 404 the CLI maps to exit 4.</summary>
    internal static ApiError Unknown(NodeSupervisor.UnknownProcesses unknown) =>
        new(404, $"no process named {string.Join(", ", unknown.Unknown)}; known: " +
                 (unknown.Known.Count == 0 ? "(none)" : string.Join(", ", unknown.Known)),
            w =>
            {
                w.WriteStartArray("unknown");
                foreach (var name in unknown.Unknown) w.WriteStringValue(name);
                w.WriteEndArray();
                w.WriteStartArray("known");
                foreach (var name in unknown.Known) w.WriteStringValue(name);
                w.WriteEndArray();
            });
}
