using Actors.Configuration;

namespace Actors.Probes;

/// <summary>The real checks: exec, http, tcp and heartbeat-file.</summary>
public static class ProbeChecks
{
    // Placeholder until the probe helper lands the real checks.
    public static IProbeCheck Create(ProbeSettings settings, ProbeContext context) =>
        throw new NotImplementedException($"{settings.Target.TypeName} probes are not built yet ({context.Pid})");
}
