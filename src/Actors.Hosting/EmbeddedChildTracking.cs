using Actors.Processes;
using Microsoft.Extensions.Logging;

namespace Actors.Hosting;

/// <summary>
/// What keeps an embedded supervision's children from outliving the host, as the node does: the pid registry in
/// the state-dir (orphans of an earlier run are stopped at start), the watchdog process (kills the children the
/// moment the host dies, SIGKILL included) and the subreaper. Disposed after every child stopped.
/// </summary>
internal sealed class EmbeddedChildTracking : IDisposable
{
    private readonly PidRegistry _registry;
    private readonly WatchdogLink? _watchdog;

    private EmbeddedChildTracking(PidRegistry registry, WatchdogLink? watchdog)
    {
        (_registry, _watchdog) = (registry, watchdog);
        Registry = watchdog is null ? registry : new CompositePidRegistry(watchdog, registry);
    }

    public IPidRegistry Registry { get; }

    /// <summary>The watchdog as the dead-man switch of leased processes; null when none runs.</summary>
    public IDeadManSwitch? DeadMan => _watchdog;

    public static EmbeddedChildTracking Start(string stateDir, ILogger log)
    {
        Directory.CreateDirectory(stateDir);
        PidRegistry.ReapOrphans(stateDir, line => log.LogWarning("{Orphans}", line));
        var registry = new PidRegistry(stateDir, warning => log.LogWarning("{Warning}", warning));
        WatchdogLink? watchdog = null;
        if (WatchdogProgram.ArgvForThisProcess() is { } argv)
        {
            watchdog = WatchdogLink.Start(argv, WatchdogProgram.Environment, warning => log.LogWarning("{Warning}", warning));
            if (watchdog is not null) log.LogInformation("watchdog pid {Pid} kills the supervised processes if this host dies", watchdog.Pid);
        }
        else
        {
            log.LogWarning("actors-watchdog is not next to {Assembly}; supervised processes will outlive a SIGKILL of this host until its next start",
                typeof(EmbeddedChildTracking).Assembly.Location);
        }
        if (!AdoptedOrphans.Enable(out var problem))
            log.LogWarning("{Problem}; descendants whose parent exits go to init, and are found by their environment only", problem);
        return new EmbeddedChildTracking(registry, watchdog);
    }

    public void Dispose()
    {
        _registry.Dispose();
        _watchdog?.Dispose();
    }
}
