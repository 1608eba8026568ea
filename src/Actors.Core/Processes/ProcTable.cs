using System.Text;

namespace Actors.Processes;

/// <summary>One line of <c>/proc/PID/stat</c>, the fields the node decides by.</summary>
internal readonly record struct ProcEntry(int Pid, char State, int Ppid, int Pgid, int Sid, long StartTime)
{
    /// <summary>Exited, not yet reaped by its parent: it holds its pid, group and session ids, but runs nothing.</summary>
    public bool Zombie => State is 'Z' or 'X';
}

/// <summary>Reads the process table from /proc: every process's stat line in one pass, and environments on demand.</summary>
internal static class ProcTable
{
    /// <summary>Every process whose start time is at least <paramref name="minStartTime"/> (clock ticks since boot).</summary>
    public static List<ProcEntry> Read(long minStartTime = 0)
    {
        var entries = new List<ProcEntry>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir.AsSpan());
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]) || !int.TryParse(name, out var pid)) continue;
            if (ReadOne(pid) is { } entry && entry.StartTime >= minStartTime) entries.Add(entry);
        }
        return entries;
    }

    /// <summary>The stat line of <paramref name="pid"/>, or null when there is no such process.</summary>
    public static ProcEntry? ReadOne(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        // The command name (field 2) is in parentheses and may itself hold spaces or ')': count from the last ')'.
        int close = text.LastIndexOf(')');
        if (close < 0 || close + 2 >= text.Length) return null;
        var rest = text.AsSpan(close + 2);
        char state = rest[0];
        int ppid = 0, pgid = 0, sid = 0;
        int index = 3; // fields after ')' start at field 3 (state)
        foreach (var range in rest.Split(' '))
        {
            var field = rest[range];
            switch (index++)
            {
                case 4: int.TryParse(field, out ppid); break;
                case 5: int.TryParse(field, out pgid); break;
                case 6: int.TryParse(field, out sid); break;
                case 22: return long.TryParse(field, out var start) ? new ProcEntry(pid, state, ppid, pgid, sid, start) : null;
            }
        }
        return null;
    }

    /// <summary>
    /// True when the environment <paramref name="pid"/> was started with holds the whole entry <paramref name="entry"/>
    /// (<c>NAME=VALUE</c>). False when it does not, or cannot be read (a zombie's is empty; another user's is closed).
    /// </summary>
    public static bool EnvironHas(int pid, string entry)
    {
        byte[] environ;
        try { environ = File.ReadAllBytes($"/proc/{pid}/environ"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
        // Entries are NUL-terminated: match whole entries only (the first one has no NUL before it).
        var span = environ.AsSpan();
        var needle = Encoding.UTF8.GetBytes(entry + "\0");
        if (span.StartsWith(needle)) return true;
        var inner = Encoding.UTF8.GetBytes("\0" + entry + "\0");
        return span.IndexOf(inner) >= 0;
    }
}
