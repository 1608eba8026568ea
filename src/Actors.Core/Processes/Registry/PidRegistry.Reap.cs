using System.Diagnostics;
using Actors.Native;

namespace Actors.Processes;

public sealed partial class PidRegistry
{
    /// <summary>How long an orphan group gets to act on SIGTERM before SIGKILL.</summary>
    public static readonly TimeSpan OrphanGrace = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Stops what an earlier node left running, before this node starts anything: for each entry in
    /// <c>&lt;state-dir&gt;/pids</c> whose pid is alive with the recorded start time (same boot), the whole group
    /// gets SIGTERM and SIGCONT, up to <see cref="OrphanGrace"/> to go, then SIGKILL. A pid that is gone or now
    /// belongs to another process (start time differs) is never signalled; a corrupt entry is logged. Every
    /// entry handled is deleted; entries of a node that is still running are left alone. Runs once, before
    /// the actor system, so it waits with short sleeps. Never throws for what it finds on disk.
    /// </summary>
    /// <param name="log">One line per group reaped and per entry worth a word.</param>
    /// <returns>The number of groups reaped.</returns>
    public static int ReapOrphans(string stateDir, Action<string> log)
    {
        var folder = FolderOf(stateDir);
        string[] files;
        try { files = Directory.GetFiles(folder); }
        catch (DirectoryNotFoundException) { return 0; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log($"cannot read the pid registry {folder} ({e.Message}); no orphans reaped");
            return 0;
        }

        var orphans = new List<(PidEntry Entry, string File)>();
        foreach (var file in files)
        {
            if (file.EndsWith(".json.tmp", StringComparison.Ordinal)) TryDelete(file); // a write cut short: never renamed
            else if (file.EndsWith(".json", StringComparison.Ordinal) && Classify(file, log) is { } entry) orphans.Add((entry, file));
        }
        var sizes = ProcessGroups.CountLiveMembers(orphans.Select(o => o.Entry.Pgid).ToHashSet());
        // A leader that is a zombie nobody reaped still holds its group id: what is left of its group is ours too.
        foreach (var gone in orphans.Where(o => sizes[o.Entry.Pgid] == 0)) TryDelete(gone.File);
        orphans.RemoveAll(o => sizes[o.Entry.Pgid] == 0);
        if (orphans.Count == 0) return 0;

        var groups = orphans.Select(o => o.Entry.Pgid).ToHashSet();
        foreach (var (entry, _) in orphans)
        {
            Signal(entry, LibC.SIGTERM);
            Signal(entry, LibC.SIGCONT); // a stopped process must get to act on SIGTERM
        }
        var left = AwaitGone(groups, OrphanGrace);
        foreach (var (entry, _) in orphans.Where(o => left.Contains(o.Entry.Pgid))) Signal(entry, LibC.SIGKILL);
        var stuck = left.Count > 0 ? AwaitGone(left, TimeSpan.FromSeconds(1)) : [];

        foreach (var (entry, file) in orphans)
        {
            var how = stuck.Contains(entry.Pgid) ? " (still there after SIGKILL)"
                : left.Contains(entry.Pgid) ? $" (SIGKILL after {OrphanGrace.TotalSeconds:0.#}s)" : "";
            log($"reaped orphan {entry.Name}: pid {entry.Pid} (group of {sizes[entry.Pgid]}) left by node pid {entry.NodePid}{how}");
            TryDelete(file);
        }
        return orphans.Count;
    }

    /// <summary>
    /// Guarded (see <see cref="ProcessGroupSignal"/>): the leader by its recorded start time, or, once it is gone, a
    /// member carrying the dead node's marker; a group id freed and reused meanwhile is never signalled.
    /// </summary>
    private static void Signal(PidEntry entry, int signal) =>
        ProcessGroupSignal.ToGroupOf(entry.Pgid, entry.StartTime, NodeMarker.Entry(entry.NodePid, entry.NodeStartTime), signal);

    /// <summary>The entry if it names a live orphan of ours; otherwise deals with the file and returns null.</summary>
    private static PidEntry? Classify(string file, Action<string> log)
    {
        PidEntry entry;
        try
        {
            entry = PidEntry.Parse(File.ReadAllBytes(file));
        }
        catch (FormatException e)
        {
            log($"corrupt pid registry entry {file} ({e.Message}); deleted");
            TryDelete(file);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log($"cannot read pid registry entry {file} ({e.Message}); skipped");
            return null;
        }
        if (entry.BootId != CurrentBootId)
        {
            TryDelete(file); // from before a reboot: those processes are gone, and start times started over
            return null;
        }
        // A zombie node (dead, its parent not reaping) counts as dead.
        if (entry.NodePid != Environment.ProcessId && ProcStat.Matches(entry.NodePid, entry.NodeStartTime) && !ProcStat.IsZombie(entry.NodePid))
        {
            log($"entry {entry.Name}: pid {entry.Pid} belongs to node pid {entry.NodePid}, which is still running; left alone");
            return null;
        }
        var startTime = ProcStat.ReadStartTime(entry.Pid);
        if (startTime is null)
        {
            TryDelete(file); // gone: nothing to do
            return null;
        }
        if (startTime != entry.StartTime)
        {
            log($"stale entry {entry.Name}: pid {entry.Pid} reused, not signalled");
            TryDelete(file);
            return null;
        }
        return entry;
    }

    /// <summary>Waits until no group of <paramref name="groups"/> has a live member or <paramref name="timeout"/> passes; returns those left.</summary>
    private static HashSet<int> AwaitGone(IReadOnlyCollection<int> groups, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var left = ProcessGroups.CountLiveMembers(groups).Where(g => g.Value > 0).Select(g => g.Key).ToHashSet();
            if (left.Count == 0 || clock.Elapsed >= timeout) return left;
            Thread.Sleep(PollInterval);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
