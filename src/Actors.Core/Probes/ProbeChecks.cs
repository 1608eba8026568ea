using Actors.Configuration;

namespace Actors.Probes;

/// <summary>The real checks: exec, http, tcp and heartbeat-file.</summary>
public static class ProbeChecks
{
    /// <summary>The check <paramref name="settings"/>' target describes, for the process <paramref name="context"/> describes.</summary>
    public static IProbeCheck Create(ProbeSettings settings, ProbeContext context) => settings.Target switch
    {
        ExecProbeTarget exec => new ExecProbeCheck(exec, context),
        HttpProbeTarget http => new HttpProbeCheck(http),
        TcpProbeTarget tcp => new TcpProbeCheck(tcp),
        // Relative to the process's working directory, where the process itself would write it.
        HeartbeatFileProbeTarget heartbeat => new HeartbeatFileProbeCheck(
            Path.Combine(context.WorkingDir, heartbeat.Path), heartbeat.MaxAge, () => DateTimeOffset.UtcNow),
        _ => throw new ArgumentException($"unknown probe type {settings.Target.TypeName}", nameof(settings)),
    };
}
