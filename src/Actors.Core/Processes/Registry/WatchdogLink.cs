using System.Runtime.InteropServices;
using System.Text;
using Actors.Native;
using Actors.Processes.Native;

namespace Actors.Processes;

/// <summary>
/// The node's side of the <see cref="Watchdog"/>: starts it and keeps it told, as an <see cref="IPidRegistry"/>
/// (groups started and gone, and which run under a lease) and as an <see cref="IDeadManSwitch"/> (each lease
/// holding that landed: the node's heartbeat to its dead-man switch).
/// <para>
/// Never blocks the caller (the spawner, the pump, the actors): the pipe's write end is non-blocking, and what
/// the pipe cannot take at once waits in memory for the keeper thread, which writes it when the watchdog reads
/// again. The link keeps the current set of groups itself (pid, start time, name: small), so a watchdog that dies
/// or stops reading is replaced, by the keeper and never on a caller's thread, with a new one that is first told
/// the whole set. A watchdog dies unnoticed by nobody: its pipe's write end reports an error the moment its
/// reader is gone, even on a quiet node. One that is alive but has taken nothing for <see cref="StallTimeout"/>
/// while lines wait (SIGSTOPped, starved) is SIGKILLed once the new one is running: no moment without a
/// watchdog that reads, and the old one never comes back (a continued one would otherwise act on a stale list).
/// </para>
/// <para>
/// Chosen over a blocking write with a timeout (a node thread would still wait, and one stuck watchdog would
/// stall every thread that starts or reaps a child) and over a queue drained by a thread with blocking writes
/// (the same stall, moved: the queue grows without bound and the node cannot tell a slow watchdog from a dead
/// one).
/// </para>
/// </summary>
public sealed unsafe class WatchdogLink : IPidRegistry, IDeadManSwitch, IDisposable
{
    /// <summary>
    /// A watchdog that takes no byte for this long while lines wait for it is replaced. It only reads (it scans
    /// /proc at EOF, or briefly when its dead-man switch kills an overdue lease's groups), so a live one takes a
    /// line within microseconds; ten seconds leave a new one, a start that is slow on a loaded machine, time to
    /// begin reading.
    /// </summary>
    public static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(10);

    // Lines waiting beyond this are dropped and the watchdog replaced at once: the new one gets the whole set.
    private const int MaxPendingBytes = 1 << 20;
    private const int MaxRetryDelayMs = 30_000;
    private const long MinLifeMs = 10_000;
    private const string Gone = "is gone";
    private const short POLLIN = 0x001, POLLOUT = 0x004, POLLERR = 0x008, POLLHUP = 0x010;

    private readonly object _gate = new();
    private readonly Dictionary<int, (long StartTime, string Name)> _groups = new();
    // What the dead-man switch was told: fences of listed groups, and each lease's kill time (ms, monotonic).
    private readonly Dictionary<int, string> _fences = new();
    private readonly Dictionary<string, long> _leases = new(StringComparer.Ordinal);
    // The lease holdings it was told of (lease → its line), for a replacement watchdog.
    private readonly Dictionary<string, string> _holdings = new(StringComparer.Ordinal);
    private readonly PendingBytes _pending = new();
    private readonly IReadOnlyList<string> _argv;
    private readonly IReadOnlyList<string> _environment;
    private readonly Action<string> _warn;
    private readonly int _pipeBytes;
    private readonly long _stallMs;
    private readonly Thread _keeper;
    private readonly List<int> _unreaped = new();
    private int _wakeFd;
    private Instance? _current;       // null: none runs (a start failed; the keeper retries at _retryAt)
    private long _lastProgress;       // when the pipe last took bytes, or last had nothing waiting
    private bool _broken;             // a write failed, or the reader is gone: replace
    private bool _overflow;           // too much waited: dropped, replace
    private bool _disposed;
    private long _retryAt;
    private int _retryDelayMs = 1000;
    private int _predecessor;         // the pid the next watchdog replaces, for the log

    private sealed record Instance(int Pid, int WriteFd, long StartedAt, long? StartTime)
    {
        // Ours and not reaped by us, so its pid is still its own; the start time guards against anyone else having
        // reaped it (a SIGCHLD set to SIG_IGN) and the pid having been handed out again.
        public void Kill()
        {
            if (StartTime is { } start && ProcStat.Matches(Pid, start)) LibC.kill(Pid, LibC.SIGKILL);
        }
    }

    private WatchdogLink(Instance first, IReadOnlyList<string> argv, IReadOnlyList<string> environment, Action<string> warn,
        int pipeBytes, TimeSpan stallTimeout)
    {
        (_current, _argv, _environment, _warn, _pipeBytes) = (first, argv, environment, warn, pipeBytes);
        _stallMs = (long)stallTimeout.TotalMilliseconds;
        _lastProgress = Environment.TickCount64;
        _wakeFd = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        _keeper = new Thread(Keep) { IsBackground = true, Name = "actors-watchdog-link" };
        _keeper.Start();
    }

    /// <summary>Pid of the watchdog process now (0 while none runs).</summary>
    public int Pid
    {
        get { lock (_gate) return _current?.Pid ?? 0; }
    }

    /// <summary>
    /// Starts <paramref name="argv"/> (argv[0] an absolute path; <see cref="WatchdogProgram"/>) as the watchdog: its own session, so a
    /// terminal's Ctrl-C meant for the node does not reach it; stdin the pipe from this node; stdout and
    /// stderr the node's own. Null (and <paramref name="warn"/> told why) when it cannot be started.
    /// <paramref name="pipeBytes"/> (0: the kernel's default) sizes the pipe, for tests that fill it.
    /// </summary>
    public static WatchdogLink? Start(IReadOnlyList<string> argv, IReadOnlyList<string> environment, Action<string> warn,
        int pipeBytes = 0, TimeSpan? stallTimeout = null)
    {
        var first = Spawn(argv, environment, pipeBytes, out var error);
        if (first is null)
        {
            warn($"could not start the watchdog {argv[0]}: {error}; children will outlive a SIGKILL of the node until its next start");
            return null;
        }
        return new WatchdogLink(first, argv, environment, warn, pipeBytes, stallTimeout ?? StallTimeout);
    }

    public void Added(string name, int pid, long startTime)
    {
        name = name.Replace('\n', ' ');
        lock (_gate)
        {
            _groups[pid] = (startTime, name);
            _fences.Remove(pid);
            Send(WatchdogProtocol.Added(pid, startTime, name));
        }
    }

    public void Removed(int pid, long startTime)
    {
        lock (_gate)
        {
            if (_groups.TryGetValue(pid, out var listed) && listed.StartTime == startTime)
            {
                _groups.Remove(pid);
                _fences.Remove(pid);
            }
            Send(WatchdogProtocol.Removed(pid, startTime));
        }
    }

    public void Fenced(int pid, long startTime, DeadManFence fence)
    {
        lock (_gate)
        {
            if (!_groups.TryGetValue(pid, out var listed) || listed.StartTime != startTime) return;
            var line = WatchdogProtocol.Fenced(pid, startTime, fence);
            _fences[pid] = line;
            Send(line);
        }
    }

    public void Held(LeaseHolding holding)
    {
        lock (_gate)
        {
            var line = WatchdogProtocol.Held(holding);
            _holdings[holding.Lease] = line;
            Send(line);
        }
    }

    public void Renewed(string lease, long killAt)
    {
        var killAtMs = WatchdogProtocol.MonotonicMs(killAt);
        lock (_gate)
        {
            _leases[lease] = killAtMs;
            Send(WatchdogProtocol.Renewed(lease, killAtMs));
        }
    }

    // Under _gate. Writes what the pipe takes now; the rest waits for the keeper.
    private void Send(string line)
    {
        if (_current is null || _broken || _overflow) return; // the next watchdog is told the whole set
        if (_pending.Length == 0) _lastProgress = Environment.TickCount64; // nothing waited until now
        _pending.Append(Encoding.UTF8.GetBytes(line));
        if (_pending.Length > MaxPendingBytes)
        {
            _pending.Clear();
            _overflow = true;
        }
        else Flush();
        if (_pending.Length > 0 || _broken || _overflow) Wake();
    }

    // Under _gate: never blocks (O_NONBLOCK). EPIPE, not a signal, tells of a reader gone: .NET ignores SIGPIPE.
    private void Flush()
    {
        if (_current is null || _broken) return;
        while (_pending.Length > 0)
        {
            nint n;
            fixed (byte* p = _pending.Bytes) n = LibC.write(_current.WriteFd, p, _pending.Length);
            if (n > 0)
            {
                _pending.Consume((int)n);
                _lastProgress = Environment.TickCount64;
                continue;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (n < 0 && errno == LibC.EINTR) continue;
            if (n < 0 && errno == LibC.EAGAIN) return;
            _broken = true;
            return;
        }
    }

    // Under _gate (so the eventfd is never written after Dispose closed it).
    private void Wake()
    {
        if (_wakeFd < 0) return;
        long one = 1;
        LibC.write(_wakeFd, (byte*)&one, sizeof(long));
    }

    /// <summary>
    /// The keeper thread: writes what waits as the pipe drains, notices a watchdog gone (the pipe's error) or
    /// stalled (nothing taken for the stall timeout), and replaces it. Sleeps in poll when there is nothing to do.
    /// </summary>
    private void Keep()
    {
        short* fds = stackalloc short[8]; // two struct pollfd { int fd; short events; short revents; }
        while (true)
        {
            Instance? current;
            string? reason = null;
            int timeout = -1;
            bool waiting;
            lock (_gate)
            {
                if (_disposed) return;
                ReapExited();
                current = _current;
                long now = Environment.TickCount64;
                if (current is null)
                {
                    if (now >= _retryAt) reason = "";
                    else timeout = (int)Math.Min(_retryAt - now, int.MaxValue);
                }
                else
                {
                    Flush();
                    if (_broken) reason = Gone;
                    else if (_overflow || (_pending.Length > 0 && now - _lastProgress >= _stallMs))
                        reason = $"has read nothing for {(now - _lastProgress) / 1000.0:0.#} s (stopped or starved)";
                    else if (_pending.Length > 0) timeout = (int)(_stallMs - (now - _lastProgress));
                }
                waiting = _pending.Length > 0;
            }
            if (reason is not null)
            {
                Replace(current, reason);
                continue;
            }

            *(int*)fds = _wakeFd;
            fds[2] = POLLIN;
            fds[3] = 0;
            int count = 1;
            if (current is not null)
            {
                // POLLERR comes unasked the moment the watchdog's end is closed: it exited or was killed.
                *(int*)(fds + 4) = current.WriteFd;
                fds[6] = waiting ? POLLOUT : (short)0;
                fds[7] = 0;
                count = 2;
            }
            LibC.poll(fds, (nuint)count, timeout);
            long drained;
            LibC.read(_wakeFd, (byte*)&drained, sizeof(long));
            if (count == 2 && (fds[7] & (POLLERR | POLLHUP)) != 0)
            {
                lock (_gate) if (_current == current) _broken = true;
            }
        }
    }

    /// <summary>
    /// On the keeper thread: starts a new watchdog, tells it every current group, then ends the old one. A dead one
    /// that lived less than <see cref="MinLifeMs"/> is followed after a delay (1 s, doubling up to 30 s): a
    /// watchdog that cannot run is not restarted in a tight loop.
    /// </summary>
    private void Replace(Instance? old, string reason)
    {
        bool reaped = false;
        long now = Environment.TickCount64;
        bool later = false;
        if (old is not null)
        {
            // A dead one first: reaped, so the log says how it ended. A stalled one is killed only once the new one
            // runs, so there is no moment without a watchdog that reads.
            if (reason == Gone && Reap(old.Pid, TimeSpan.FromSeconds(2)) is { } ended)
            {
                reaped = true;
                reason = $"{Gone} (ended by {ended})";
            }
            if (now - old.StartedAt >= MinLifeMs) _retryDelayMs = 1000;
            else later = reason.StartsWith(Gone, StringComparison.Ordinal);
            _warn($"the watchdog (pid {old.Pid}) {reason}; starting a new one{(later ? $" in {_retryDelayMs / 1000} s" : "")}");
            _predecessor = old.Pid;
        }
        string? error = null;
        var fresh = later ? null : Spawn(_argv, _environment, _pipeBytes, out error);
        int told;
        lock (_gate)
        {
            _current = fresh;
            _broken = _overflow = false;
            _pending.Clear();
            _lastProgress = now;
            told = _groups.Count;
            if (fresh is not null)
            {
                // Leases first: a fenced group is never seen without its lease's kill time.
                var all = new StringBuilder();
                foreach (var (lease, killAtMs) in _leases) all.Append(WatchdogProtocol.Renewed(lease, killAtMs));
                foreach (var line in _holdings.Values) all.Append(line);
                foreach (var (pid, (startTime, name)) in _groups)
                {
                    all.Append(WatchdogProtocol.Added(pid, startTime, name));
                    if (_fences.TryGetValue(pid, out var fence)) all.Append(fence);
                }
                _pending.Append(Encoding.UTF8.GetBytes(all.ToString()));
                Flush();
            }
            else
            {
                _retryAt = now + _retryDelayMs;
                _retryDelayMs = Math.Min(_retryDelayMs * 2, MaxRetryDelayMs);
            }
        }
        if (old is not null)
        {
            // Killed before its pipe closes: it never reads that EOF.
            if (!reaped) old.Kill();
            LibC.close(old.WriteFd);
            if (!reaped && reason != Gone) Reap(old.Pid, TimeSpan.FromSeconds(2));
        }
        if (fresh is not null)
            _warn($"watchdog pid {fresh.Pid} replaces pid {_predecessor}, told of {told} group(s)");
        else if (!later)
            _warn($"could not start a new watchdog: {error}; children will outlive a SIGKILL of the node until one runs (retrying)");
    }

    private static Instance? Spawn(IReadOnlyList<string> argv, IReadOnlyList<string> environment, int pipeBytes, out string? error)
    {
        int* fds = stackalloc int[2];
        // Close-on-exec on both ends: no child of the node may hold the write end, or the watchdog would
        // never see EOF; the spawn dup2s the read end onto the watchdog's stdin (without the flag).
        if (LibC.pipe2(fds, LibC.O_CLOEXEC) != 0)
        {
            error = $"pipe: {LibC.ErrorText(Marshal.GetLastPInvokeError())}";
            return null;
        }
        // Only our end is non-blocking: the watchdog's stdin blocks like any ordinary pipe.
        LibC.fcntl(fds[1], LibC.F_SETFL, LibC.fcntl(fds[1], LibC.F_GETFL, 0) | LibC.O_NONBLOCK);
        if (pipeBytes > 0) LibC.fcntl(fds[1], LibC.F_SETPIPE_SZ, pipeBytes);
        var result = Spawner.Spawn(argv[0], argv, environment, "/", stdinFd: fds[0], captureOutput: false);
        LibC.close(fds[0]);
        if (result.Errno != 0)
        {
            LibC.close(fds[1]);
            error = LibC.ErrorText(result.Errno);
            return null;
        }
        error = null;
        return new Instance(result.Pid, fds[1], Environment.TickCount64, ProcStat.ReadStartTime(result.Pid));
    }

    /// <summary>Waits (bounded) for our child <paramref name="pid"/> to end and reaps it; its exit, or null if it still runs.</summary>
    private ExitStatus? Reap(int pid, TimeSpan timeout)
    {
        ProcessExit.WaitFor(pid, timeout);
        int status;
        if (LibC.waitpid(pid, &status, LibC.WNOHANG) == pid) return ExitStatus.FromWaitStatus(status);
        lock (_gate) _unreaped.Add(pid); // stuck in the kernel: reaped on a later turn, no zombie left for good
        return null;
    }

    // Under _gate.
    private void ReapExited()
    {
        _unreaped.RemoveAll(pid =>
        {
            int status;
            return LibC.waitpid(pid, &status, LibC.WNOHANG) != 0;
        });
    }

    /// <summary>
    /// Ends the link once every child stopped: tells the watchdog the node closes in order (it kills what is
    /// still listed, and exits), closes the pipe and reaps the watchdog, waiting up to 2 s. A watchdog that cannot
    /// be told (it stopped reading) is SIGKILLed instead.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            Wake();
        }
        _keeper.Join();
        Instance? last;
        bool told;
        lock (_gate)
        {
            last = _current;
            told = last is not null && !_broken && !_overflow;
            if (told)
            {
                _pending.Append(Encoding.UTF8.GetBytes(WatchdogProtocol.EndLine + "\n"));
                Flush();
                told = !_broken && _pending.Length == 0;
            }
            _current = null;
            LibC.close(_wakeFd);
            _wakeFd = -1;
        }
        if (last is not null)
        {
            if (!told) last.Kill();
            LibC.close(last.WriteFd);
            Reap(last.Pid, TimeSpan.FromSeconds(2));
        }
        lock (_gate) ReapExited();
    }
}
