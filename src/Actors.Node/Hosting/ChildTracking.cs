using Actors.Processes;

namespace Actors.Node.Hosting;

/// <summary>
/// What keeps the node's children from outliving it: the pid registry in the state dir (read by the next boot)
/// and the watchdog process (acts the moment the node dies, SIGKILL included). Disposed after every child
/// stopped: the registry's last deletes are written, then the watchdog's pipe is closed.
/// </summary>
internal sealed class ChildTracking : IDisposable
{
    private readonly PidRegistry _registry;
    private readonly WatchdogLink? _watchdog;

    private ChildTracking(PidRegistry registry, WatchdogLink? watchdog)
    {
        _registry = registry;
        _watchdog = watchdog;
        Registry = watchdog is null ? registry : new CompositePidRegistry(watchdog, registry);
    }

    /// <summary>For the launcher: told of every child started and gone.</summary>
    public IPidRegistry Registry { get; }

    /// <summary>The watchdog as the dead-man switch of leased processes; null when none runs.</summary>
    public IDeadManSwitch? DeadMan => _watchdog;

    public static ChildTracking Start(string stateDir, Serilog.ILogger logger)
    {
        var registry = new PidRegistry(stateDir, warning => logger.Warning("{Warning:l}", warning));
        WatchdogLink? watchdog = null;
        if (WatchdogProgram.ArgvForThisProcess() is { } argv)
        {
            watchdog = WatchdogLink.Start(argv, WatchdogProgram.Environment, warning => logger.Warning("{Warning:l}", warning), PipeBytesForTests());
            if (watchdog is not null) logger.Information("watchdog pid {Pid} kills the children if this node dies", watchdog.Pid);
        }
        else logger.Warning("{Program} is not beside {Node}; children will outlive a SIGKILL of this node until its next start",
            WatchdogProgram.FileName, AppContext.BaseDirectory);
        return new ChildTracking(registry, watchdog);
    }

    // Internal, for tests only (not documented): a small pipe fills after a few lines, so a test of a watchdog
    // that stops reading needs a hundred restarts, not thousands.
    private static int PipeBytesForTests() =>
        int.TryParse(Environment.GetEnvironmentVariable("ACTORS_WATCHDOG_PIPE_BYTES"), out var bytes) ? bytes : 0;

    public void Dispose()
    {
        _registry.Dispose();
        _watchdog?.Dispose();
    }
}
