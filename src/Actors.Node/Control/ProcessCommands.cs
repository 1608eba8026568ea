using System.Text.Json;
using Akka.Actor;
using Actors.Configuration;
using Actors.Supervision;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Node.Control;

/// <summary>
/// <c>POST /v1/start|stop|restart|signal</c> with <c>{"names": [...]}</c> or <c>{"all": true}</c> (signal adds
/// <c>"signal": "HUP"</c> and optionally <c>"group": true</c>). The answer lists one result per process:
/// <c>{"name", "ok", "message", "status"?}</c>; it comes once every process has settled (stopped, running...).
/// </summary>
/// <remarks>In a cluster, start, stop and restart of names this node does not run go to the nodes that run them
/// (<see cref="Cluster.ClusterNode.RouteCommand"/>); their results carry a <c>"node"</c>.</remarks>
internal sealed class ProcessCommands(IActorRef root, IHostApplicationLifetime lifetime, Cluster.ClusterAccess? cluster = null)
{
    private const string Expected = "{\"names\": [\"NAME\", ...]} or {\"all\": true}";

    public async Task HandleAsync(HttpContext ctx, string verb)
    {
        var body = await RequestBody.ReadObjectAsync(ctx, verb == "signal" ? "{\"names\": [\"NAME\"], \"signal\": \"HUP\"}" : Expected);
        var names = RequestBody.Targets(body, Expected);
        IProcessCommand command = verb switch
        {
            "start" => new StartProcess(),
            "stop" => new StopProcess(Persist: true),
            "restart" => new RestartProcess(),
            _ => SignalCommand(body),
        };
        if (lifetime.ApplicationStopping.IsCancellationRequested)
            throw new ApiError(503, "the node is shutting down");
        IReadOnlyList<Cluster.ClusterNode.CommandResult> remote = [];
        // A singleton is declared on every node and runs on the one holding its lease: its start, stop and restart go to
        // all of them (a stop of this node's copy alone would only move it to another node).
        if (cluster?.Node is { } everywhere && names is not null && verb != "signal" && names.Where(cluster.Singletons.Contains).Distinct().ToList() is { Count: > 0 } singletons)
        {
            var routed = await everywhere.Ask<Cluster.ClusterNode.Routed>(new Cluster.ClusterNode.RouteCommand(singletons, verb) { Everywhere = true, IncludeSelf = singletons.Any(cluster.SingletonsHere.Contains) },
                TimeSpan.FromHours(1), ctx.RequestAborted);
            remote = routed.Results;
            names = names.Where(n => !singletons.Contains(n)).ToList();
        }
        // The supervisors bound every wait (stop timeouts); this only guards against a lost answer. (No names left: all
        // were singletons; an empty list would mean every process.)
        var answer = names is { Count: 0 }
            ? new NodeSupervisor.ProcessReplies([])
            : await root.Ask(new NodeSupervisor.ToProcesses(names, command), TimeSpan.FromHours(1), ctx.RequestAborted);
        if (answer is NodeSupervisor.UnknownProcesses unknown)
        {
            if (cluster?.Node is not { } clusterNode || verb == "signal" || names is null) throw ControlApi.Unknown(unknown);
            var routed = await clusterNode.Ask<Cluster.ClusterNode.Routed>(new Cluster.ClusterNode.RouteCommand(unknown.Unknown, verb), TimeSpan.FromHours(1), ctx.RequestAborted);
            if (routed.Unknown.Count > 0)
                throw ControlApi.Unknown(new NodeSupervisor.UnknownProcesses(routed.Unknown, unknown.Known.Concat(routed.KnownInFleet).Distinct().Order(StringComparer.Ordinal).ToList()));
            remote = [.. remote, .. routed.Results];
            var local = names.Where(n => !unknown.Unknown.Contains(n)).ToList();
            answer = local.Count == 0 ? new NodeSupervisor.ProcessReplies([]) : await root.Ask(new NodeSupervisor.ToProcesses(local, command), TimeSpan.FromHours(1), ctx.RequestAborted);
        }
        var replies = ((NodeSupervisor.ProcessReplies)answer).Replies;
        var now = DateTimeOffset.UtcNow;
        await JsonResponse.WriteAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("results");
            foreach (var reply in replies) WriteResult(w, reply, now);
            foreach (var result in remote) WriteRemote(w, result);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static void WriteRemote(Utf8JsonWriter w, Cluster.ClusterNode.CommandResult result)
    {
        w.WriteStartObject();
        w.WriteString("name", result.Name);
        w.WriteString("node", result.Node);
        w.WriteBoolean("ok", result.Ok);
        w.WriteString("message", result.Message);
        if (result.StatusJson is { } status)
        {
            w.WritePropertyName("status");
            w.WriteRawValue(status);
        }
        w.WriteEndObject();
    }

    private static SignalProcess SignalCommand(JsonElement body)
    {
        var name = RequestBody.OptionalString(body, "signal")
            ?? throw new ApiError(400, "no \"signal\" given; expected a name like HUP, SIGUSR1 or a number 1-64");
        if (!Signals.TryParse(name, out var number))
            throw new ApiError(400, $"unknown signal '{name}'; use a name like HUP, TERM, USR1, SIGUSR2 or a number 1-64");
        return new SignalProcess(number, Signals.NameOf(number), RequestBody.OptionalBool(body, "group"));
    }

    private static void WriteResult(Utf8JsonWriter w, IProcessReply reply, DateTimeOffset now)
    {
        w.WriteStartObject();
        switch (reply)
        {
            case ProcessStatus status:
                // Waiting for its lease is where a started leased process belongs while another node holds it.
                var ok = status.State is ProcessState.Running or ProcessState.Ready or ProcessState.Completed or ProcessState.Waiting;
                w.WriteString("name", status.Name);
                w.WriteBoolean("ok", ok);
                w.WriteString("message", ok && status.Pid is { } pid
                    ? $"{status.State.ToDisplay()} (pid {pid})"
                    : $"{status.State.ToDisplay()}: {status.Reason}");
                w.WritePropertyName("status");
                StatusJson.WriteProcess(w, status, now);
                break;
            case ProcessStopped stopped:
                w.WriteString("name", stopped.Name);
                w.WriteBoolean("ok", true);
                w.WriteString("message", "stopped");
                break;
            case SignalSent sent:
                w.WriteString("name", sent.Name);
                w.WriteBoolean("ok", true);
                w.WriteString("message", $"SIG{sent.SignalName} sent to pid {sent.Pid}");
                break;
            case CommandRefused refused:
                w.WriteString("name", refused.Name);
                w.WriteBoolean("ok", false);
                w.WriteString("message", refused.Reason);
                break;
            default:
                w.WriteString("name", "?");
                w.WriteBoolean("ok", false);
                w.WriteString("message", $"unexpected answer {reply.GetType().Name}");
                break;
        }
        w.WriteEndObject();
    }
}
