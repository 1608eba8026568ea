using System.Globalization;
using Actors.Native;

namespace Actors.Processes;

/// <summary>
/// What the watchdog was told (see <see cref="WatchdogProtocol"/>): the node's listed process groups, which of them
/// run under a lease, and until when the node confirmed each lease. Also the watchdog's dead-man switch: a thread
/// that, once any group is fenced, sleeps until the next kill time. When the node has not confirmed a lease by a
/// fenced group's stop time (its lease's kill time minus the group's grace), the group gets its stop signal and
/// SIGCONT; at the kill time it is SIGKILLed, with every process that carries the node's marker and that lease's
/// name in its environment (descendants that left the group). A node that is frozen (SIGSTOP, a VM pause) or whose
/// lease heartbeats stall keeps writing nothing, and this runs anyway: the watchdog is a process of its own.
/// <para>
/// Once a group's stop has begun it is finished at its kill time whatever comes later: the node, if it thaws,
/// counts the lease lost itself (its own check is the same stop time) and runs the process again only under a new
/// holding.
/// </para>
/// </summary>
internal sealed class WatchedGroups : IDisposable
{
    private const int Listed = 0, Stopping = 1, Killed = 2;

    private sealed class Group(long startTime, string name)
    {
        public long StartTime { get; } = startTime;
        public string Name { get; } = name;
        public DeadManFence? Fence { get; set; }
        public int Stage { get; set; } = Listed;
        public long KillAt { get; set; }
    }

    private readonly object _gate = new();
    private readonly Dictionary<int, Group> _groups = new();
    private readonly Dictionary<string, long> _leases = new(StringComparer.Ordinal); // lease → kill time (ms)
    private readonly Dictionary<string, LeaseHolding> _holdings = new(StringComparer.Ordinal); // lease → the node's latest holding
    private readonly TextWriter _log;
    private readonly int _nodePid;
    private readonly string? _marker;
    private Thread? _deadMan;
    private bool _closed;

    public WatchedGroups(TextWriter log, int nodePid, string? marker) => (_log, _nodePid, _marker) = (log, nodePid, marker);

    /// <summary>Applies one line of the node's; malformed lines are ignored (a line cut by a dying node).</summary>
    public void Apply(string line)
    {
        if (line.Length < 2) return;
        lock (_gate)
        {
            switch (line[0])
            {
                case '+' or '-':
                {
                    var parts = line.Split(' ', 3);
                    if (!TryGroup(parts, out var pgid, out var startTime)) return;
                    if (line[0] == '+') _groups[pgid] = new Group(startTime, parts.Length == 3 ? parts[2] : "?");
                    else if (_groups.TryGetValue(pgid, out var listed) && listed.StartTime == startTime) _groups.Remove(pgid);
                    return;
                }
                case '&':
                {
                    var parts = line.Split(' ');
                    if (parts.Length != 5 || !TryGroup(parts, out var pgid, out var startTime)) return;
                    if (!int.TryParse(parts[3], CultureInfo.InvariantCulture, out var signal)
                        || !long.TryParse(parts[4], CultureInfo.InvariantCulture, out var graceMs) || graceMs < 0) return;
                    if (!_groups.TryGetValue(pgid, out var group) || group.StartTime != startTime) return;
                    group.Fence = new DeadManFence(parts[2], signal, TimeSpan.FromMilliseconds(graceMs));
                    break;
                }
                case '=':
                    // Only for after the node's death (see Watchdog.Run): nothing for the dead-man switch to do.
                    if (WatchdogProtocol.ParseHeld(line) is { } holding) _holdings[holding.Lease] = holding;
                    return;
                case '~':
                {
                    var parts = line.Split(' ');
                    if (parts.Length != 2 || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var killAt)) return;
                    _leases[parts[0][1..]] = killAt;
                    break;
                }
                default:
                    return;
            }
            // A fence or a renewal: the dead-man switch (re)computes its next wake-up.
            if (_deadMan is null)
            {
                _deadMan = new Thread(Watch) { IsBackground = true, Name = "dead-man" };
                _deadMan.Start();
            }
            else Monitor.PulseAll(_gate);
        }
    }

    private static bool TryGroup(string[] parts, out int pgid, out long startTime)
    {
        startTime = 0;
        return int.TryParse(parts[0].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out pgid) && pgid > 1
            && parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out startTime);
    }

    /// <summary>Stops the dead-man switch and hands over what is still listed: the node's pipe has closed.</summary>
    public List<(int Pgid, long StartTime, string Name)> Close()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.PulseAll(_gate);
        }
        _deadMan?.Join();
        lock (_gate) return _groups.Select(g => (g.Key, g.Value.StartTime, g.Value.Name)).ToList();
    }

    public void Dispose() => Close();

    /// <summary>The lease holdings the node took, the latest per lease (for after its death).</summary>
    public List<LeaseHolding> Holdings()
    {
        lock (_gate) return _holdings.Values.ToList();
    }

    /// <summary>The dead-man switch's thread: acts on what is due, then sleeps until the next stop or kill time.</summary>
    private void Watch()
    {
        lock (_gate)
        {
            while (!_closed)
            {
                long now = WatchdogProtocol.NowMs();
                long next = long.MaxValue;
                var killedUnder = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (pgid, group) in _groups)
                {
                    if (group.Fence is not { } fence || group.Stage == Killed) continue;
                    if (group.Stage == Listed)
                    {
                        // No confirmation of the lease at all (it cannot happen in order: the node confirms a lease
                        // before it starts a group under it): due now.
                        long killAt = _leases.TryGetValue(fence.Lease, out var at) ? at : now;
                        long stopAt = killAt - (long)fence.Grace.TotalMilliseconds;
                        if (now < stopAt)
                        {
                            next = Math.Min(next, stopAt);
                            continue;
                        }
                        group.Stage = Stopping;
                        group.KillAt = killAt;
                        Stop(pgid, group, fence, now, killAt);
                    }
                    if (now < group.KillAt)
                    {
                        next = Math.Min(next, group.KillAt);
                        continue;
                    }
                    group.Stage = Killed;
                    if (ProcessGroupSignal.ToGroupOf(pgid, group.StartTime, _marker, LibC.SIGKILL))
                        _log.WriteLine($"actors watchdog: node pid {_nodePid} did not confirm lease {fence.Lease} in time; SIGKILLed the process group of {group.Name} (pid {pgid})");
                    killedUnder.Add(fence.Lease);
                }
                foreach (var lease in killedUnder) KillEscaped(lease);
                if (next == long.MaxValue) Monitor.Wait(_gate);
                else Monitor.Wait(_gate, (int)Math.Clamp(next - WatchdogProtocol.NowMs(), 1, int.MaxValue));
            }
        }
    }

    private void Stop(int pgid, Group group, DeadManFence fence, long now, long killAt)
    {
        bool sent = ProcessGroupSignal.ToGroupOf(pgid, group.StartTime, _marker, fence.Signal);
        // A stopped (SIGSTOP) group must get to act on its stop signal.
        if (sent && fence.Signal != LibC.SIGKILL) ProcessGroupSignal.ToGroupOf(pgid, group.StartTime, _marker, LibC.SIGCONT);
        if (sent)
            _log.WriteLine($"actors watchdog: node pid {_nodePid} did not confirm lease {fence.Lease} in time; sent signal {fence.Signal} to the process group of {group.Name} (pid {pgid}), SIGKILL in {Math.Max(0, killAt - now) / 1000.0:0.###}s");
    }

    /// <summary>Descendants of the lease's runs that left their group: they carry the node's marker and the lease's name.</summary>
    private void KillEscaped(string lease)
    {
        if (_marker is null) return;
        var leaseEntry = "ACTORS_LEASE_NAME=" + lease;
        foreach (var process in NodeMarker.FindCarriers(_marker))
        {
            if (!ProcTable.EnvironHas(process.Pid, leaseEntry)) continue;
            if (ProcessGroupSignal.ToProcess(process.Pid, process.StartTime, LibC.SIGKILL))
                _log.WriteLine($"actors watchdog: SIGKILLed pid {process.Pid} (left its group; lease {lease})");
        }
    }
}
