using System.Text.Json;
using Akka.Actor;
using Actors.Node.Cluster;
using Microsoft.AspNetCore.Http;

namespace Actors.Node.Control;

/// <summary>
/// <c>GET /v1/cluster/status</c>: every member and every process it published, each with its node;
/// <c>GET /v1/cluster/members</c>: the members, their roles, reachability and the leader. Both from this node's view
/// of the cluster (DistributedData and cluster membership), so they answer without asking the other nodes.
/// </summary>
internal static class ClusterEndpoints
{
    public static IActorRef Require(ClusterAccess access) =>
        access.Node ?? throw new ApiError(404, "this node is not in a cluster (actors.cluster.enabled = off); set it on to see and control the fleet");

    public static async Task MembersAsync(HttpContext ctx, ClusterAccess access)
    {
        var view = await Require(access).Ask<ClusterNode.MembersView>(new ClusterNode.GetMembers(), ControlApi.QueryTimeout, ctx.RequestAborted);
        await JsonResponse.WriteAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            WriteSummary(w, view);
            w.WriteStartArray("members");
            foreach (var m in view.Members) WriteMember(w, m);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    public static async Task StatusAsync(HttpContext ctx, ClusterAccess access)
    {
        var fleet = await Require(access).Ask<ClusterNode.Fleet>(new ClusterNode.GetFleet(), ControlApi.QueryTimeout, ctx.RequestAborted);
        var now = DateTimeOffset.UtcNow;
        await JsonResponse.WriteAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            WriteSummary(w, fleet.Members);
            w.WriteStartArray("nodes");
            foreach (var node in fleet.Nodes)
            {
                w.WriteStartObject();
                WriteMemberFields(w, node.Member);
                if (node.PublishedAt is { } at) w.WriteString("published-at", at); else w.WriteNull("published-at");
                w.WriteStartArray("processes");
                if (node.ProcessesJson is { } json) WriteProcesses(w, json, node.Member.Address, now);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    // Each process as published, plus its node and its uptime by this node's clock.
    private static void WriteProcesses(Utf8JsonWriter w, string json, string node, DateTimeOffset now)
    {
        using var doc = JsonDocument.Parse(json);
        foreach (var p in doc.RootElement.GetProperty("processes").EnumerateArray())
        {
            w.WriteStartObject();
            w.WriteString("node", node);
            foreach (var property in p.EnumerateObject()) property.WriteTo(w);
            if (p.TryGetProperty("running-since", out var since) && since.ValueKind == JsonValueKind.String && since.TryGetDateTimeOffset(out var t))
                w.WriteNumber("uptime-s", Math.Round(Math.Max(0, (now - t).TotalSeconds), 3));
            else
                w.WriteNull("uptime-s");
            w.WriteEndObject();
        }
    }

    private static void WriteSummary(Utf8JsonWriter w, ClusterNode.MembersView view)
    {
        w.WriteString("self", view.Self);
        w.WriteBoolean("joined", view.Joined);
        w.WriteBoolean("formed", view.Formed);
        w.WriteNumber("min-nr-of-members", view.MinNrOfMembers);
        if (view.Leader is { } leader) w.WriteString("leader", leader); else w.WriteNull("leader");
        w.WriteString("joins-through", view.Bootstrap ? "bootstrap" : "seed-nodes");
        w.WriteStartArray("waiting-for");
        foreach (var seed in view.WaitingFor) w.WriteStringValue(seed);
        w.WriteEndArray();
    }

    private static void WriteMember(Utf8JsonWriter w, ClusterNode.MemberView m)
    {
        w.WriteStartObject();
        WriteMemberFields(w, m);
        w.WriteEndObject();
    }

    private static void WriteMemberFields(Utf8JsonWriter w, ClusterNode.MemberView m)
    {
        w.WriteString("node", m.Address);
        w.WriteString("status", m.Status);
        w.WriteStartArray("roles");
        foreach (var role in m.Roles) w.WriteStringValue(role);
        w.WriteEndArray();
        w.WriteBoolean("reachable", m.Reachable);
        w.WriteBoolean("leader", m.IsLeader);
        w.WriteBoolean("self", m.IsSelf);
    }
}
