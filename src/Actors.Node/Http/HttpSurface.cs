using Actors.Node.Control;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Actors.Node.Http;

/// <summary>
/// What the HTTP listener serves: the dashboard at <c>/</c>, <c>/metrics</c>, and the control API's own
/// endpoints (the same handlers as the unix socket). Reads are open; <c>GET /v1/status</c> comes from the shared
/// <see cref="StatusSnapshot"/>. Everything that changes state needs the bearer token first.
/// Built only when <c>actors.node.http.listen</c> is set: with the listener off none of this (nor prometheus-net)
/// is loaded.
/// </summary>
internal sealed class HttpSurface(ControlApi api, StatusSnapshot snapshot, MetricsEndpoint metrics, BearerToken token, NodeInfo node)
{
    private static readonly object Mark = new();

    /// <summary>Kestrel connection middleware for the TCP listener: marks its connections, so requests on them come here.</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> MarkConnections => next => connection =>
    {
        connection.Items[Mark] = Mark;
        return next(connection);
    };

    public static bool IsHttpListener(HttpContext ctx) =>
        ctx.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(Mark) == true;

    public Task HandleAsync(HttpContext ctx) => api.GuardAsync(ctx, () => RouteAsync(ctx));

    private Task RouteAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        var read = HttpMethods.IsGet(ctx.Request.Method) || HttpMethods.IsHead(ctx.Request.Method);
        if (read && DashboardFiles.Has(path)) return DashboardFiles.ServeAsync(ctx);
        if (read && path == "/metrics") return metrics.HandleAsync(ctx);
        if (HttpMethods.IsGet(ctx.Request.Method) && path == "/v1/status") return StatusEndpoint.HandleAsync(ctx, snapshot.SelectAsync, node);
        if (HttpMethods.IsGet(ctx.Request.Method) && path == "/v1/logs") return api.RouteAsync(ctx);
        if (ControlApi.ChangesState(path)) token.Authorize(ctx);
        return api.RouteAsync(ctx);
    }
}
