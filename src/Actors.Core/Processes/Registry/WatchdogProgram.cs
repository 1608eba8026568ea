using System.Globalization;

namespace Actors.Processes;

/// <summary>
/// Where the native <c>actors-watchdog</c> program is (see <see cref="Watchdog"/>): built with Actors.Core and copied
/// beside every program that references it (the node, an embedding host, the tests), in publish output too.
/// </summary>
public static class WatchdogProgram
{
    public const string FileName = "actors-watchdog";

    /// <summary>The program beside this library, or beside the app (single-file); null when it is in neither.</summary>
    public static string? Path
    {
        get
        {
            // Empty inside a single-file bundle: then the program is beside the app.
            var library = typeof(WatchdogProgram).Assembly.Location;
            foreach (var folder in new[] { string.IsNullOrEmpty(library) ? null : System.IO.Path.GetDirectoryName(library), AppContext.BaseDirectory })
            {
                if (folder is null) continue;
                var candidate = System.IO.Path.Combine(folder, FileName);
                if (File.Exists(candidate)) return candidate;
            }
            return null;
        }
    }

    /// <summary>
    /// The watchdog's argv for this process as its node: the program, this pid and its start time (so it acts on this
    /// process only, whatever later gets the pid). Null when the program is missing.
    /// </summary>
    public static string[]? ArgvForThisProcess()
    {
        if (Path is not { } program) return null;
        var pid = System.Environment.ProcessId;
        return [program, pid.ToString(CultureInfo.InvariantCulture), (ProcStat.ReadStartTime(pid) ?? 0).ToString(CultureInfo.InvariantCulture)];
    }

    /// <summary>
    /// Its environment: none. It reads nothing from it, and a watchdog without the node's variables is never taken for
    /// one of the node's children.
    /// </summary>
    public static IReadOnlyList<string> Environment { get; } = [];
}
