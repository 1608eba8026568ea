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

    public static ChildTracking Start(string stateDir, Serilog.ILogger logger)
    {
        var registry = new PidRegistry(stateDir, warning => logger.Warning("{Warning:l}", warning));
        var watchdog = WatchdogLink.Start(WatchdogArgv(), WatchdogEnvironment(), warning => logger.Warning("{Warning:l}", warning),
            PipeBytesForTests());
        if (watchdog is not null) logger.Information("watchdog pid {Pid} kills the children if this node dies", watchdog.Pid);
        return new ChildTracking(registry, watchdog);
    }

    // Internal, for tests only (not documented): a small pipe fills after a few lines, so a test of a watchdog
    // that stops reading needs a hundred restarts, not thousands.
    private static int PipeBytesForTests() =>
        int.TryParse(Environment.GetEnvironmentVariable("ACTORS_WATCHDOG_PIPE_BYTES"), out var bytes) ? bytes : 0;

    /// <summary>This same program with the hidden verb, whether it runs as its apphost or as <c>dotnet actors.dll</c>.</summary>
    internal static string[] WatchdogArgv()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("unknown process path");
        var pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var start = (ProcStat.ReadStartTime(Environment.ProcessId) ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Path.GetFileName(host) is "dotnet"
            ? [host, Path.Combine(AppContext.BaseDirectory, "actors.dll"), WatchdogCommand.Verb, pid, start]
            : [host, WatchdogCommand.Verb, pid, start];
    }

    // Measured: the watchdog's PSS is about 9 MiB next to a running node (26 MiB alone, of which under 3 MiB
    // anonymous: the rest is the runtime's mapped files, shared with the node). GC settings (a heap hard
    // limit, a small gen0) changed nothing measurable, so it runs with the node's environment as is.
    internal static List<string> WatchdogEnvironment()
    {
        var env = new List<string>();
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables()) env.Add($"{e.Key}={e.Value}");
        return env;
    }

    public void Dispose()
    {
        _registry.Dispose();
        _watchdog?.Dispose();
    }
}
