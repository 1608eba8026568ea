using Akka.Actor;
using Akka.Configuration;
using Akka.Coordination;
using Akka.Event;

namespace Actors.Leases;

/// <summary>
/// An Akka.Coordination <see cref="Lease"/> kept in a file: one <c>NAME.lease</c> per lease name in a folder
/// shared by the nodes of one machine (or a shared file system with atomic link and rename). It records the holder, a
/// fencing token that grows with every new holder, the holder's last heartbeat and its TTL.
/// <para>
/// Acquire takes the lease when it is free (never taken, released, or its file is corrupt), when the holder's
/// heartbeat is older than the TTL, or when this owner already holds it. While held, a heartbeat is written
/// every heartbeat-interval; the lease is reported lost (through the callback given to Acquire) when a
/// heartbeat cannot be written, when the file names another holder, or when this owner has not managed to write
/// a heartbeat for a TTL on its monotonic clock (its writes stalled, or the whole node was frozen): by then
/// another owner may have taken it. See <see cref="LeaseClock"/> for the clock assumption.
/// </para>
/// <para>
/// With a dead-man switch (see <see cref="Validity"/> and <see cref="Renewed"/>), the holder counts the lease lost
/// sooner, after <see cref="Validity"/> without a heartbeat that landed, and reports every holding that landed so
/// a process outside the node can kill what runs under the lease if the reports stop.
/// </para>
/// <para>
/// Loadable through <c>LeaseProvider.Get(system).GetLease(name, "actors.lease.file", owner)</c> with a config
/// block like <see cref="DefaultConfig"/>: <c>lease-class</c>, <c>heartbeat-interval</c>,
/// <c>heartbeat-timeout</c> (the TTL), <c>lease-operation-timeout</c> (required by Akka's settings; nothing here waits on a lock, see <see cref="LeaseFile"/>) and
/// <c>folder</c>.
/// </para>
/// </summary>
public sealed class FileLease : Lease, IFencedLease, IDeadManLease
{
    /// <summary>The config path of the defaults below, for <c>LeaseProvider.GetLease</c> and <c>use-lease</c>.</summary>
    public const string ConfigPath = "actors.lease.file";

    private readonly LeaseFile _file;
    private readonly IScheduler _scheduler;
    private readonly LeaseClock _clock;
    private readonly ILoggingAdapter _log;
    private readonly string _owner;
    private readonly TimeSpan _ttl, _interval;
    private readonly object _gate = new();
    private bool _held;
    private long _token;
    private TimeSpan _lastWrite;
    private DateTimeOffset _lastHeartbeat;
    private Action<Exception?>? _lost;
    private ICancelable? _heartbeats;
    private int _beating;
    private TimeSpan? _validity;
    // Until when (monotonic ticks) the holding is good, for CheckLease without the lock: a heartbeat holds the lock
    // through its file I/O, and the supervisor asks before each decision.
    private long _goodUntil = long.MinValue;

    /// <summary>The constructor <c>LeaseProvider</c> calls; the folder comes from the lease's config block.</summary>
    public FileLease(LeaseSettings settings, ExtendedActorSystem system)
        : this(settings, FolderOf(settings), system.Scheduler, LeaseClock.System, Akka.Event.Logging.GetLogger(system, typeof(FileLease)))
    {
    }

    /// <summary>Timing comes from <paramref name="scheduler"/> and <paramref name="clock"/>, so tests can run it on virtual time.</summary>
    public FileLease(LeaseSettings settings, string folder, IScheduler scheduler, LeaseClock clock, ILoggingAdapter log) : base(settings)
    {
        var timeouts = settings.TimeoutSettings;
        if (timeouts.HeartbeatInterval <= TimeSpan.Zero || timeouts.HeartbeatTimeout <= timeouts.HeartbeatInterval)
            throw new ArgumentException($"lease {settings.LeaseName}: heartbeat-timeout ({timeouts.HeartbeatTimeout}) must be longer than heartbeat-interval ({timeouts.HeartbeatInterval}), which must be above 0");
        _file = new LeaseFile(folder, settings.LeaseName);
        _scheduler = scheduler;
        _clock = clock;
        _log = log;
        _owner = LeaseRecord.CleanHolder(settings.OwnerName);
        _ttl = timeouts.HeartbeatTimeout;
        _interval = timeouts.HeartbeatInterval;
    }

    /// <summary>
    /// Defaults for <see cref="ConfigPath"/>; add them as a fallback to the actor system's config and set
    /// <c>folder</c> (e.g. <c>actors.lease.file.folder = "/run/my-app/leases"</c>).
    /// </summary>
    public static Config DefaultConfig() => ConfigurationFactory.ParseString("""
        actors.lease.file {
          lease-class = "Actors.Leases.FileLease, Actors.Core"
          heartbeat-interval = 1s
          heartbeat-timeout = 10s
          lease-operation-timeout = 5s
          folder = ""
        }
        """);

    private static string FolderOf(LeaseSettings settings)
    {
        var folder = settings.LeaseConfig.GetString("folder", "");
        if (string.IsNullOrWhiteSpace(folder))
            throw new ArgumentException($"lease {settings.LeaseName}: set 'folder' in the lease's config block to the folder the lease files live in");
        return Path.GetFullPath(folder);
    }

    public long Token { get { lock (_gate) return _token; } }

    /// <summary>
    /// How long this holder counts its holding good after the last heartbeat that landed (by its monotonic clock):
    /// the TTL unless set shorter, for a dead-man switch that stops the process before the TTL. After it the lease
    /// is lost (and <see cref="CheckLease"/> false) even if nobody else took it yet: the next holding, with a new
    /// token, comes only after the TTL.
    /// </summary>
    public TimeSpan Validity
    {
        get => _validity ?? _ttl;
        init
        {
            if (value <= TimeSpan.Zero || value > _ttl)
                throw new ArgumentException($"lease {Settings.LeaseName}: the validity ({value}) must be above 0 and at most the ttl ({_ttl})");
            _validity = value;
        }
    }

    /// <summary>
    /// Told of every holding that landed (an acquisition, a heartbeat), with the <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp taken just before its record was written: the others judge the lease by that record. Called under
    /// the lease's lock: it must not block (the node's watchdog link writes one line without blocking).
    /// </summary>
    public Action<long>? Renewed { get; set; }

    /// <summary>
    /// Told of every new holding (its token, this owner, the folder), under the lease's lock: it must not block. The
    /// node's watchdog frees the holding in the file when the node dies (see <see cref="Actors.Processes.LeaseHolding"/>).
    /// </summary>
    public Action<Actors.Processes.LeaseHolding>? Held { get; set; }

    public override Task<bool> Acquire() => Acquire(null);

    public override Task<bool> Acquire(Action<Exception?>? leaseLostCallback) =>
        Task.Run(() => TryAcquire(leaseLostCallback));

    public override bool CheckLease()
    {
        return _clock.Elapsed.Ticks <= Volatile.Read(ref _goodUntil);
    }

    public override Task<bool> Release() => Task.Run(() =>
    {
        lock (_gate)
        {
            var wasHeld = _held;
            _held = false;
            Volatile.Write(ref _goodUntil, long.MinValue);
            _lost = null;
            StopHeartbeats();
            // Freed, not deleted: the token stays, so the next holder's token is higher still. Only while this
            // holding is still the lease; a newer holder's file is never touched.
            _file.ReleaseIfHeld(_token, _owner, _clock.UtcNow);
            if (wasHeld) _log.Info("lease {0} released by {1} (token {2})", Settings.LeaseName, _owner, _token);
            return true;
        }
    });

    public LeaseStatus Inspect()
    {
        var (token, record) = _file.Current(out _);
        lock (_gate)
        {
            var age = record is null ? (TimeSpan?)null : _clock.UtcNow - record.Heartbeat;
            return new LeaseStatus(Settings.LeaseName, _held, record is null || record.IsFree ? null : record.Holder, token, age);
        }
    }

    private bool TryAcquire(Action<Exception?>? lost)
    {
        lock (_gate)
        {
            // A holding this node can no longer count on (frozen or stalled past its validity) is lost first: it is
            // taken again only with a new token, once the TTL let it go.
            if (_held && _clock.Elapsed - _lastWrite > Validity) Lose(Silence(_clock.Elapsed - _lastWrite));
            var now = _clock.UtcNow;
            var stamped = _clock.Elapsed;
            var stampedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            var (token, current) = _file.Current(out var corruption);
            if (corruption is not null) _log.Warning("lease {0}: {1}", Settings.LeaseName, corruption);
            LeaseRecord taken;
            // Re-entrant only while this instance still holds it: after a loss, a new holding gets a new token.
            if (_held && current is not null && token == _token && current.Holder == _owner)
            {
                taken = current with { Heartbeat = now, Ttl = _ttl };
                _file.Rewrite(taken);
            }
            else if (current is null || current.IsFree || current.IsExpired(now))
            {
                taken = new LeaseRecord(_owner, token + 1, now, _ttl);
                if (!_file.TryCreate(taken)) return false;
                var from = current is null ? "free" : current.IsFree ? $"released (token {token})" : $"expired: {current.Holder}'s heartbeat was {(now - current.Heartbeat).TotalSeconds:0.###}s old";
                _log.Info("lease {0} acquired by {1} (token {2}; was {3})", Settings.LeaseName, _owner, taken.Token, from);
                Held?.Invoke(new Actors.Processes.LeaseHolding(Settings.LeaseName, taken.Token, _owner, _file.Folder));
            }
            else return false;
            _held = true;
            _token = taken.Token;
            _lastWrite = stamped;
            Volatile.Write(ref _goodUntil, (stamped + Validity).Ticks);
            _lastHeartbeat = now;
            _lost = lost ?? _lost;
            Renewed?.Invoke(stampedAt);
            if (_heartbeats is null)
            {
                _heartbeats = new Cancelable(_scheduler);
                _scheduler.Advanced.ScheduleRepeatedly(_interval, _interval, () => Task.Run(Heartbeat), _heartbeats);
            }
            return true;
        }
    }

    /// <summary>One heartbeat: off the scheduler's thread (file I/O), never two at once.</summary>
    private void Heartbeat()
    {
        if (Interlocked.Exchange(ref _beating, 1) == 1) return;
        lock (_gate)
        {
            // Cleared while still under the gate: whoever sees this heartbeat's result (under the gate) can count
            // on the next one not being skipped as overlapping.
            try
            {
                Beat();
            }
            finally
            {
                Volatile.Write(ref _beating, 0);
            }
        }
    }

    /// <summary>Called under the gate.</summary>
    private void Beat()
    {
        if (!_held) return;
        var silent = _clock.Elapsed - _lastWrite;
        // Checked before writing: a node that was frozen must not refresh a lease another may have taken.
        if (silent > Validity)
        {
            Lose(Silence(silent));
            return;
        }
        var now = _clock.UtcNow;
        var stamped = _clock.Elapsed;
        var stampedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            // Only the holder of a token writes its file, so the record is ours to write whole; what others did
            // shows as a higher token.
            _file.Rewrite(new LeaseRecord(_owner, _token, now, _ttl));
            if (_file.HighestToken() != _token)
            {
                var (token, holder) = _file.Current(out _);
                Lose(holder is null || holder.IsFree ? $"a newer holding exists (token {token})" : $"taken over by {holder.Holder} (token {token})");
                return;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Lose($"heartbeat write failed: {e.Message}");
            return;
        }
        // Others judge the lease by the heartbeat it replaced until this write landed: if that took past the old
        // heartbeat's TTL, someone may have seen it expired and taken the lease a moment before our write.
        var landed = _clock.Elapsed - _lastWrite;
        if (landed > Validity)
        {
            Lose($"the heartbeat landed {landed.TotalSeconds:0.###}s after the one before, past {Limit} (stalled)");
            return;
        }
        _lastWrite = stamped;
        _lastHeartbeat = now;
        Volatile.Write(ref _goodUntil, (stamped + Validity).Ticks);
        Renewed?.Invoke(stampedAt);
    }

    private string Limit => _validity is { } validity
        ? $"the {validity.TotalSeconds:0.###}s this node may hold it without one (the dead-man switch stops the process then)"
        : $"the ttl of {_ttl.TotalSeconds:0.###}s";

    private string Silence(TimeSpan silent) =>
        $"no heartbeat written for {silent.TotalSeconds:0.###}s, longer than {Limit} (stalled or frozen)";

    /// <summary>Called under the gate. The callback runs on the pool: it must not run while we hold the gate.</summary>
    private void Lose(string reason)
    {
        _held = false;
        Volatile.Write(ref _goodUntil, long.MinValue);
        StopHeartbeats();
        _log.Warning("lease {0} lost by {1} (token {2}): {3}", Settings.LeaseName, _owner, _token, reason);
        var callback = _lost;
        _lost = null;
        if (callback is not null) Task.Run(() => callback(new LeaseException(reason)));
    }

    private void StopHeartbeats()
    {
        _heartbeats?.Cancel();
        _heartbeats = null;
    }

    /// <summary>When the last heartbeat was written (wall clock); for tests and diagnostics.</summary>
    internal DateTimeOffset LastHeartbeat { get { lock (_gate) return _lastHeartbeat; } }
}
