using System.Collections;
using System.Globalization;
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

    public static EmbeddedChildTracking Start(string stateDir, ILogger log)
    {
        Directory.CreateDirectory(stateDir);
        PidRegistry.ReapOrphans(stateDir, line => log.LogWarning("{Orphans}", line));
        var registry = new PidRegistry(stateDir, warning => log.LogWarning("{Warning}", warning));
        WatchdogLink? watchdog = null;
        if (WatchdogArgv() is { } argv)
        {
            watchdog = WatchdogLink.Start(argv, Environment(), warning => log.LogWarning("{Warning}", warning));
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

    /// <summary>
    /// The actors-watchdog program shipped with this library (Actors.Hosting references it, so it is in the host's
    /// output folder): its apphost when there is one, else through the dotnet muxer.
    /// </summary>
    private static string[]? WatchdogArgv()
    {
        var folder = Path.GetDirectoryName(typeof(EmbeddedChildTracking).Assembly.Location) ?? AppContext.BaseDirectory;
        var pid = System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var start = (ProcStat.ReadStartTime(System.Environment.ProcessId) ?? 0).ToString(CultureInfo.InvariantCulture);
        var apphost = Path.Combine(folder, "actors-watchdog");
        if (File.Exists(apphost)) return [apphost, pid, start];
        var dll = Path.Combine(folder, "actors-watchdog.dll");
        if (!File.Exists(dll) || Muxer() is not { } dotnet) return null;
        return [dotnet, dll, pid, start];
    }

    private static string? Muxer()
    {
        if (System.Environment.ProcessPath is { } self && Path.GetFileName(self) == "dotnet") return self;
        if (System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        // The runtime lives in DOTNET_ROOT/shared/Microsoft.NETCore.App/VERSION/.
        var root = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "../../.."));
        var muxer = Path.Combine(root, "dotnet");
        return File.Exists(muxer) ? muxer : null;
    }

    private static List<string> Environment()
    {
        var env = new List<string>();
        foreach (DictionaryEntry e in System.Environment.GetEnvironmentVariables()) env.Add($"{e.Key}={e.Value}");
        return env;
    }

    public void Dispose()
    {
        _registry.Dispose();
        _watchdog?.Dispose();
    }
}
