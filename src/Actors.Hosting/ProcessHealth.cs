using Akka.Actor;
using Akka.Hosting;
using Actors.Configuration;
using Actors.Supervision;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Hosting;

/// <summary>
/// The supervision's health checks, registered through Akka.Hosting's own <c>WithHealthCheck</c> (they appear
/// in the application's <c>services.AddHealthChecks()</c> / <c>MapHealthChecks</c> like any other):
/// <list type="bullet">
/// <item><see cref="ProcessesCheck"/> (tag <c>ready</c>): Healthy when every process is where it should be,
/// Degraded while one backs off or a non-critical one has failed, Unhealthy when a <c>critical = on</c> one has
/// failed.</item>
/// <item><see cref="SupervisorCheck"/> (tag <c>live</c>): Healthy while the root supervisor answers.</item>
/// </list>
/// </summary>
public static class ProcessHealth
{
    public const string ProcessesCheck = "processes";
    public const string SupervisorCheck = "process-supervisor";
    public const string ReadyTag = "ready";
    public const string LiveTag = "live";

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    internal static void Register(AkkaConfigurationBuilder builder, ActorsSettings settings)
    {
        var critical = settings.Processes.Where(p => p.Critical).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        builder.WithHealthCheck(ProcessesCheck, (_, registry, ct) => CheckProcessesAsync(registry, critical, ct),
            HealthStatus.Unhealthy, [ReadyTag, "processes"]);
        builder.WithHealthCheck(SupervisorCheck, (_, registry, ct) => CheckSupervisorAsync(registry, ct),
            HealthStatus.Unhealthy, [LiveTag, "processes"]);
    }

    private static async Task<HealthCheckResult> CheckSupervisorAsync(ActorRegistry registry, CancellationToken ct)
    {
        if (!registry.TryGet<ProcessSupervision>(out var root)) return HealthCheckResult.Unhealthy("the process supervisor has not started");
        await root.Ask<NodeSupervisor.NodeStatus>(new NodeSupervisor.GetNodeStatus(), AskTimeout, ct);
        return HealthCheckResult.Healthy("the process supervisor answers");
    }

    private static async Task<HealthCheckResult> CheckProcessesAsync(ActorRegistry registry, IReadOnlySet<string> critical, CancellationToken ct)
    {
        if (!registry.TryGet<ProcessSupervision>(out var root)) return HealthCheckResult.Unhealthy("the process supervisor has not started");
        var status = await root.Ask<NodeSupervisor.NodeStatus>(new NodeSupervisor.GetNodeStatus(), AskTimeout, ct);
        return Judge(status.Processes, critical);
    }

    /// <summary>The verdict on a set of statuses; <paramref name="critical"/> names the processes marked <c>critical = on</c>.</summary>
    public static HealthCheckResult Judge(IReadOnlyList<ProcessStatus> processes, IReadOnlySet<string> critical)
    {
        var data = processes.ToDictionary(p => p.Name, p => (object)p.State.ToDisplay());
        var criticalFailed = processes.Where(p => p.State == ProcessState.Failed && critical.Contains(p.Name)).ToList();
        if (criticalFailed.Count > 0)
            return HealthCheckResult.Unhealthy($"critical process(es) failed: {Describe(criticalFailed)}", data: data);
        var degraded = processes.Where(p => p.State is ProcessState.Failed or ProcessState.BackingOff).ToList();
        if (degraded.Count > 0)
            return HealthCheckResult.Degraded(Describe(degraded), data: data);
        return HealthCheckResult.Healthy($"{processes.Count} process(es) where they should be", data);
    }

    private static string Describe(IEnumerable<ProcessStatus> processes) =>
        string.Join("; ", processes.Select(p => $"{p.Name} {p.State.ToDisplay()}: {p.Reason}"));
}
