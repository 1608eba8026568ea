namespace Actors.Processes;

/// <summary>Counts the live members of process groups from /proc (zombies do not count: they are already gone).</summary>
internal static class ProcessGroups
{
    /// <summary>Live members of each group in <paramref name="groups"/>: one pass over /proc for all of them.</summary>
    public static Dictionary<int, int> CountLiveMembers(IReadOnlyCollection<int> groups)
    {
        var counts = groups.ToDictionary(g => g, _ => 0);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir.AsSpan());
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]) || !int.TryParse(name, out var pid)) continue;
            if (ProcStat.ReadGroupAndLiveness(pid) is { Live: true } p && counts.TryGetValue((int)p.Group, out var n))
                counts[(int)p.Group] = n + 1;
        }
        return counts;
    }
}
