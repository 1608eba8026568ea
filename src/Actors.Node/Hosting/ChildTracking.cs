using System.Collections;
using Actors.Node.Commands;
using Actors.Processes;

namespace Actors.Node.Hosting;

/// <summary>
/// What keeps the node's children from outliving it: the pid registry in the state dir (read by the next boot)
/// and the watchdog process (acts the moment the node dies, SIGKILL included). Disposed after every child
/// stopped: the registry's last deletes are written, then the watchdog's pipe is closed.
/// </summary>
internal sealed class ChildTracking : IDisposable
{
    // The watchdog is a whole .NET runtime for a few lines of work: a small GC heap and no server GC keep
    // its memory near the runtime's floor.
    private static readonly string[] WatchdogRuntimeSettings =
        ["DOTNET_GCHeapHardLimit=0x1000000", "DOTNET_gcServer=0", "DOTNET_GCgen0size=0x100000", "DOTNET_TieredPGO=0"];

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

    /// <summary>Pid of the watchdog process, null when it could not be started.</summary>
    public int? WatchdogPid => _watchdog?.Pid;

    public static ChildTracking Start(string stateDir, Serilog.ILogger logger)
    {
        var registry = new PidRegistry(stateDir, warning => logger.Warning("{Warning:l}", warning));
        var watchdog = WatchdogLink.Start(WatchdogArgv(), WatchdogEnvironment(), warning => logger.Warning("{Warning:l}", warning));
        return new ChildTracking(registry, watchdog);
    }

    /// <summary>This same program with the hidden verb, whether it runs as its apphost or as <c>dotnet actors.dll</c>.</summary>
    private static string[] WatchdogArgv()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("unknown process path");
        var pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Path.GetFileName(host) is "dotnet"
            ? [host, typeof(ChildTracking).Assembly.Location, WatchdogCommand.Verb, pid]
            : [host, WatchdogCommand.Verb, pid];
    }

    private static List<string> WatchdogEnvironment()
    {
        var env = new List<string>();
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            var key = (string)e.Key;
            if (!WatchdogRuntimeSettings.Any(s => s.StartsWith(key + "=", StringComparison.Ordinal))) env.Add($"{key}={e.Value}");
        }
        env.AddRange(WatchdogRuntimeSettings);
        return env;
    }

    public void Dispose()
    {
        _registry.Dispose();
        _watchdog?.Dispose();
    }
}
