using Akka.Actor;
using Actors.Configuration;

namespace Actors.Probes;

// Placeholder body until the probe helper lands the real actor: it reports nothing.
internal sealed class HealthProbeActor : ReceiveActor
{
    public HealthProbeActor(ProbeSettings settings, IProbeCheck check)
    {
        _ = settings;
        _ = check;
    }
}
