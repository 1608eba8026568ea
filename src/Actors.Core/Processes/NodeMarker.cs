using System.Globalization;
using System.Text;

namespace Actors.Processes;

/// <summary>
/// <c>ACTORS_NODE=PID.STARTTIME</c> in every child's environment names the node that started it. A child is
/// announced to the watchdog only once <c>posix_spawn</c> has returned; a node killed in between leaves a child
/// nobody listed. The marker lets the watchdog find such children anyway: session leaders carrying its node's
/// marker are that node's children, whatever their pid.
/// </summary>
public static class NodeMarker
{
    public const string Variable = "ACTORS_NODE";

    /// <summary>The marker entry (<c>ACTORS_NODE=...</c>) of the running node.</summary>
    public static string OfThisNode { get; } = Entry(Environment.ProcessId, ProcStat.ReadStartTime(Environment.ProcessId) ?? 0);

    public static string Entry(int nodePid, long nodeStartTime) =>
        string.Create(CultureInfo.InvariantCulture, $"{Variable}={nodePid}.{nodeStartTime}");

    /// <summary>Session leaders (each child leads its own session) whose environment holds <paramref name="entry"/>.</summary>
    public static IEnumerable<int> FindSessionLeaders(string entry)
    {
        var needle = Encoding.UTF8.GetBytes(entry + "\0");
        var inner = Encoding.UTF8.GetBytes("\0" + entry + "\0");
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            if (ProcStat.ReadSession(pid) != pid || ProcStat.IsZombie(pid)) continue;
            byte[] environ;
            try
            {
                environ = File.ReadAllBytes($"/proc/{pid}/environ");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            // Entries are NUL-terminated: match whole entries only (the first one has no NUL before it).
            var span = environ.AsSpan();
            if (span.StartsWith(needle) || span.IndexOf(inner) >= 0) yield return pid;
        }
    }
}
