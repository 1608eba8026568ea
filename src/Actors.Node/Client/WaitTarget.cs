using System.Text.Json;

namespace Actors.Node.Client;

/// <summary>What <c>actors wait --until</c> waits for; the decision on one status is pure, so it is tested alone.</summary>
internal enum WaitTarget { Ready, Running, Completed, Stopped, Failed }

/// <summary>Where one process stands against the target: there, on its way, or never getting there by itself.</summary>
internal enum WaitVerdict { Reached, Pending, Impossible }

internal static class WaitTargets
{
    public const string Names = "ready, running, completed, stopped or failed";

    public static WaitTarget? Parse(string text) => text switch
    {
        "ready" => WaitTarget.Ready,
        "running" => WaitTarget.Running,
        "completed" => WaitTarget.Completed,
        "stopped" => WaitTarget.Stopped,
        "failed" => WaitTarget.Failed,
        _ => null,
    };

    /// <summary>
    /// Judges one process of <c>GET /v1/status</c>. States that only an operator's start (or a reload) leaves
    /// (failed, stopped, completed) end the wait at once when they are not the target: nothing will move the
    /// process on by itself. Running counts as ready for a process without a readiness check (probe or notify),
    /// as it does for <c>depends-on = ready</c>. Stopped means "nothing runs and nothing starts by itself", so a
    /// completed or failed process is stopped too (like <c>docker wait</c>, whatever the exit was).
    /// </summary>
    public static WaitVerdict Judge(WaitTarget target, JsonElement process)
    {
        var state = process.GetProperty("state").GetString();
        var settled = state is "failed" or "stopped" or "completed";
        var reached = target switch
        {
            WaitTarget.Ready => state == "ready" || (state == "running" && !HasReadinessCheck(process)),
            WaitTarget.Running => state is "running" or "ready",
            WaitTarget.Completed => state == "completed",
            WaitTarget.Stopped => settled,
            WaitTarget.Failed => state == "failed",
            _ => false,
        };
        if (reached) return WaitVerdict.Reached;
        return settled ? WaitVerdict.Impossible : WaitVerdict.Pending;
    }

    private static bool HasReadinessCheck(JsonElement process) =>
        process.TryGetProperty("probes", out var probes)
        && probes.EnumerateArray().Any(p => p.GetProperty("role").GetString() == "readiness");
}
