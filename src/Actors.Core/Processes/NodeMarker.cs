using System.Globalization;

namespace Actors.Processes;

/// <summary>
/// <c>ACTORS_NODE=PID.STARTTIME</c> in every child's environment names the node that started it. A child is
/// announced to the watchdog only once <c>posix_spawn</c> has returned; a node killed in between leaves a child
/// nobody listed. The marker lets the watchdog find such children anyway, and every descendant that left its
/// group: whatever carries its node's marker was started by that node, whatever its pid, group or session.
/// </summary>
public static class NodeMarker
{
    public const string Variable = "ACTORS_NODE";

    /// <summary>The marker entry (<c>ACTORS_NODE=...</c>) of the running node.</summary>
    public static string OfThisNode { get; } = Entry(Environment.ProcessId, ProcStat.ReadStartTime(Environment.ProcessId) ?? 0);

    public static string Entry(int nodePid, long nodeStartTime) =>
        string.Create(CultureInfo.InvariantCulture, $"{Variable}={nodePid}.{nodeStartTime}");

    /// <summary>Live processes (other than this one) whose environment holds <paramref name="entry"/>: the node's children and their descendants.</summary>
    internal static IEnumerable<ProcEntry> FindCarriers(string entry)
    {
        foreach (var process in ProcTable.Read())
        {
            if (process.Zombie || process.Pid == Environment.ProcessId) continue;
            if (ProcTable.EnvironHas(process.Pid, entry)) yield return process;
        }
    }
}
