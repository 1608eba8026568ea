using Actors.Native;

namespace Actors.Processes;

/// <summary>
/// What one run started outside its own process group: descendants that called <c>setsid</c> or <c>setpgid</c>
/// (a <c>setsid cmd &amp;</c>, a daemon's double fork). Without cgroups nothing in the kernel keeps them together
/// with their run, so the run finds them, pins each with a pidfd, and stops them with its group (semantics 11).
/// <para>
/// Which run a process came from is decided, in one /proc snapshot, by:
/// <list type="number">
/// <item>its group: a member of the run's group (the group still existing after the snapshot proves the id was ours);</item>
/// <item>the run's marker, <c>ACTORS_RUN=NODEPID.NODESTART.N</c>, which every child gets in its environment and
/// every descendant inherits, whatever its group, session or parent: it survives its parent's exit, which the
/// parent chain does not (an orphan's parent is the node, or init);</item>
/// <item>its parent: a live process whose parent is one of the run's, for a descendant that cleared its
/// environment while its parent lives;</item>
/// <item>having been seen as one of the run's before (tracked by pidfd).</item>
/// </list>
/// Only processes started after the run's main process are looked at: a descendant is never older than it.
/// What escapes all four (a descendant that cleared its environment and whose parent is gone) is not found:
/// the price of not using cgroups.
/// </para>
/// <para>
/// A zombie child of the node (adopted as subreaper, see <see cref="AdoptedOrphans"/>) is reaped here when it is one
/// of the run's, or holds, as pid, group or session id, an id one of the run's processes holds in the same snapshot:
/// that is how the first fork of a double-forking daemon (whose session the daemon is in) is told from the node's
/// own .NET children, which nothing of ours shares an id with.
/// </para>
/// </summary>
internal sealed class RunDescendants(int pgid, long mainStartTime, string? runEntry) : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<int, Tracked> _escaped = new();
    private readonly int _node = Environment.ProcessId;
    private bool _disposed;

    private sealed record Tracked(long StartTime, int Fd, bool LeadsGroup);

    /// <summary>True while no process of the run was found outside its group (or every one found is forgotten, gone).</summary>
    public bool TracksNone
    {
        get { lock (_gate) return _escaped.Count == 0; }
    }

    /// <summary>
    /// Looks for the run's processes outside its group (pinning new ones) and reaps the run's zombies the node
    /// adopted. <paramref name="groupIsOurs"/> is asked after the snapshot: does the run's group still exist?
    /// </summary>
    /// <returns>The live processes of the run outside its group, and in it (counted only while the group is provably ours).</returns>
    /// <param name="notBefore">The table must be read after this moment (a Stopwatch timestamp): the exit of the main process, or the signal.</param>
    public (int Outside, int InGroup) Refresh(Func<bool> groupIsOurs, long notBefore) =>
        Refresh(SharedProcTable.Current(notBefore), groupIsOurs);

    /// <summary>As <see cref="Refresh(Func{bool}, long)"/>, with a table the caller read (after the moment that matters to it).</summary>
    public (int Outside, int InGroup) Refresh(List<ProcEntry> wholeTable, Func<bool> groupIsOurs)
    {
        var table = wholeTable.Where(e => e.StartTime >= mainStartTime).ToList();
        bool groupOurs = groupIsOurs();
        lock (_gate)
        {
            // Released meanwhile (a look that came back after the run was over): pin nothing more.
            if (_disposed) return (0, 0);
            var ours = new Dictionary<int, ProcEntry>();
            foreach (var e in table)
            {
                if (e.Pid == _node) continue;
                if (e.Pgid == pgid ? groupOurs
                    : IsTracked(e) || (!e.Zombie && runEntry is not null && SharedProcTable.EntryOf(e, LinuxProcessLauncher.RunVariable) == runEntry))
                    ours[e.Pid] = e;
            }
            // Children are never older than their parent: in start-time order one pass finds whole chains.
            foreach (var e in table.OrderBy(e => e.StartTime))
                if (!e.Zombie && !ours.ContainsKey(e.Pid) && ours.ContainsKey(e.Ppid)) ours[e.Pid] = e;

            foreach (var e in ours.Values)
            {
                if (e.Zombie || e.Pgid == pgid || _escaped.ContainsKey(e.Pid)) continue;
                int fd = ProcessGroupSignal.OpenProcess(e.Pid, e.StartTime);
                if (fd >= 0) _escaped[e.Pid] = new Tracked(e.StartTime, fd, e.Pid == e.Pgid);
            }
            ReapLocked(table, ours.Values);
            int inGroup = ours.Values.Count(e => e.Pgid == pgid && !e.Zombie);
            return (Prune(table), inGroup);
        }
    }

    /// <summary>
    /// The periodic sweep's share: reaps the run's zombies among the node's children with no environment reads
    /// (<paramref name="table"/> is the sweep's snapshot of the whole table).
    /// </summary>
    public void ReapAdopted(List<ProcEntry> table, Func<bool> groupIsOurs)
    {
        bool groupOurs = groupIsOurs();
        lock (_gate)
        {
            var ours = table.Where(e => e.StartTime >= mainStartTime && ((e.Pgid == pgid && groupOurs) || IsTracked(e)));
            ReapLocked(table, ours);
            Prune(table);
        }
    }

    /// <summary><paramref name="signal"/> to every live tracked process (a group leader: to its whole group). Returns how many.</summary>
    public int Signal(int signal)
    {
        lock (_gate)
        {
            int sent = 0;
            foreach (var t in _escaped.Values)
            {
                bool ok = t.LeadsGroup
                    ? LibC.PidfdSendSignal(t.Fd, signal, LibC.PIDFD_SIGNAL_PROCESS_GROUP) == 0 || ProcessGroupSignal.ToProcess(t.Fd, signal)
                    : ProcessGroupSignal.ToProcess(t.Fd, signal);
                if (ok) sent++;
            }
            return sent;
        }
    }

    private bool IsTracked(ProcEntry e) => _escaped.TryGetValue(e.Pid, out var t) && t.StartTime == e.StartTime;

    private void ReapLocked(List<ProcEntry> table, IEnumerable<ProcEntry> ours)
    {
        var ids = new HashSet<int> { pgid };
        var pids = new HashSet<int>();
        foreach (var e in ours)
        {
            pids.Add(e.Pid);
            ids.Add(e.Pgid);
            ids.Add(e.Sid);
        }
        foreach (var z in table)
        {
            // The main process (pid == pgid) is the output pump's to reap: its exit code is the run's.
            if (!z.Zombie || z.Ppid != _node || z.Pid == pgid) continue;
            if (pids.Contains(z.Pid) || ids.Contains(z.Pid) || ids.Contains(z.Pgid) || ids.Contains(z.Sid))
                AdoptedOrphans.Reap(z.Pid, z.StartTime);
        }
    }

    /// <summary>Forgets tracked processes that are gone (reaped by us or by their parent); returns how many still run.</summary>
    private int Prune(List<ProcEntry> table)
    {
        var now = table.ToDictionary(e => e.Pid);
        int live = 0;
        foreach (var (pid, t) in _escaped.ToList())
        {
            if (now.TryGetValue(pid, out var e) && e.StartTime == t.StartTime)
            {
                if (!e.Zombie) live++;
                continue;
            }
            LibC.close(t.Fd);
            _escaped.Remove(pid);
        }
        return live;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var t in _escaped.Values) LibC.close(t.Fd);
            _escaped.Clear();
        }
    }
}
