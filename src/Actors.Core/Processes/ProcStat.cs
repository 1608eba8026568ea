namespace Actors.Processes;

/// <summary>
/// Reads <c>/proc/PID/stat</c>. The start time (field 22, clock ticks since boot) tells a process from a
/// later one that got the same pid: a pid is only acted on while its start time still matches.
/// </summary>
public static class ProcStat
{
    /// <summary>Start time of <paramref name="pid"/> in clock ticks since boot, or null when there is no such process.</summary>
    public static long? ReadStartTime(int pid) => ReadField(pid, 22);

    /// <summary>Session of <paramref name="pid"/>, or null when there is no such process.</summary>
    public static long? ReadSession(int pid) => ReadField(pid, 6);

    /// <summary>Process group of <paramref name="pid"/>, or null when there is no such process.</summary>
    public static long? ReadProcessGroup(int pid) => ReadField(pid, 5);

    /// <summary>True when <paramref name="pid"/> is a zombie: exited, not yet reaped by its parent.</summary>
    public static bool IsZombie(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            int close = text.LastIndexOf(')');
            return close > 0 && close + 2 < text.Length && text[close + 2] is 'Z' or 'X';
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// Process group and liveness of <paramref name="pid"/> from one read: null when there is no such process;
    /// <c>Live</c> is false for a zombie (exited, not yet reaped by its parent).
    /// </summary>
    public static (long Group, bool Live)? ReadGroupAndLiveness(int pid) =>
        ProcTable.ReadOne(pid) is { } entry ? (entry.Pgid, !entry.Zombie) : null;

    /// <summary>True when <paramref name="pid"/> exists and is the same process that was recorded with <paramref name="startTime"/>.</summary>
    public static bool Matches(int pid, long startTime) => ReadStartTime(pid) == startTime;

    private static long? ReadField(int pid, int field)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        // The command name (field 2) is in parentheses and may itself hold spaces or ')': count from the last ')'.
        int close = text.LastIndexOf(')');
        if (close < 0) return null;
        var rest = text.AsSpan(close + 2);
        int index = field - 3; // fields after ')' start at field 3 (state)
        foreach (var range in rest.Split(' '))
        {
            if (index-- == 0) return long.TryParse(rest[range], out var value) ? value : null;
        }
        return null;
    }
}
