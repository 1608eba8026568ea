using Akka.Actor;
using Akka.Configuration;
using Akka.Coordination;
using Akka.Event;

namespace Actors.Leases;

/// <summary>
/// An Akka.Coordination <see cref="Lease"/> kept in a file: one <c>NAME.lease</c> per lease name in a folder
/// shared by the nodes of one machine (or a shared file system with working flock). It records the holder, a
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
/// Loadable through <c>LeaseProvider.Get(system).GetLease(name, "actors.lease.file", owner)</c> with a config
/// block like <see cref="DefaultConfig"/>: <c>lease-class</c>, <c>heartbeat-interval</c>,
/// <c>heartbeat-timeout</c> (the TTL), <c>lease-operation-timeout</c> (the longest wait for the file lock) and
/// <c>folder</c>.
/// </para>
/// </summary>
public sealed class FileLease : Lease, IFencedLease
{
    /// <summary>The config path of the defaults below, for <c>LeaseProvider.GetLease</c> and <c>use-lease</c>.</summary>
    public const string ConfigPath = "actors.lease.file";

    private readonly LeaseFile _file;
    private readonly IScheduler _scheduler;
    private readonly LeaseClock _clock;
    private readonly ILoggingAdapter _log;
    private readonly string _owner;
    private readonly TimeSpan _ttl, _interval, _operationTimeout;
    private readonly object _gate = new();
    private bool _held;
    private long _token;
    private TimeSpan _lastWrite;
    private DateTimeOffset _lastHeartbeat;
    private Action<Exception?>? _lost;
    private ICancelable? _heartbeats;
    private int _beating;

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
        _operationTimeout = timeouts.OperationTimeout;
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

    public override Task<bool> Acquire() => Acquire(null);

    public override Task<bool> Acquire(Action<Exception?>? leaseLostCallback) =>
        Task.Run(() => TryAcquire(leaseLostCallback));

    public override bool CheckLease()
    {
        lock (_gate) return _held && _clock.Elapsed - _lastWrite <= _ttl;
    }

    public override Task<bool> Release() => Task.Run(() =>
    {
        lock (_gate)
        {
            var wasHeld = _held;
            _held = false;
            _lost = null;
            StopHeartbeats();
            // Freed, not deleted: the token stays in the file, so the next holder's token is higher still.
            _file.Update(r => r is not null && r.Holder == _owner && r.Token == _token
                ? r with { Holder = "", Heartbeat = _clock.UtcNow }
                : null, _operationTimeout);
            if (wasHeld) _log.Info("lease {0} released by {1} (token {2})", Settings.LeaseName, _owner, _token);
            return true;
        }
    });

    public LeaseStatus Inspect()
    {
        var record = _file.Read();
        lock (_gate)
        {
            var age = record is null ? (TimeSpan?)null : _clock.UtcNow - record.Heartbeat;
            return new LeaseStatus(Settings.LeaseName, _held, record is null || record.IsFree ? null : record.Holder, record?.Token ?? 0, age);
        }
    }

    private bool TryAcquire(Action<Exception?>? lost)
    {
        lock (_gate)
        {
            var now = _clock.UtcNow;
            LeaseRecord? taken = null;
            var before = _file.Update(current =>
            {
                // Re-entrant only while this instance still holds it: after a loss, a new holding gets a new token.
                if (current is not null && current.Holder == _owner && current.Token == _token && _held)
                    return taken = current with { Heartbeat = now, Ttl = _ttl };
                if (current is null || current.IsFree || current.IsExpired(now))
                    return taken = new LeaseRecord(_owner, (current?.Token ?? 0) + 1, now, _ttl);
                return null;
            }, _operationTimeout);
            if (_file.CorruptionNote is { } note) _log.Warning("lease {0}: {1}", Settings.LeaseName, note);
            if (taken is null) return false;
            if (!_held)
            {
                var from = before is null ? "free" : before.IsFree ? $"released by {before.Holder}" : $"expired: {before.Holder}'s heartbeat was {(now - before.Heartbeat).TotalSeconds:0.###}s old";
                _log.Info("lease {0} acquired by {1} (token {2}; was {3})", Settings.LeaseName, _owner, taken.Token, from);
            }
            _held = true;
            _token = taken.Token;
            _lastWrite = _clock.Elapsed;
            _lastHeartbeat = now;
            _lost = lost ?? _lost;
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
        if (silent > _ttl)
        {
            Lose($"no heartbeat written for {silent.TotalSeconds:0.###}s, longer than the ttl of {_ttl.TotalSeconds:0.###}s (stalled or frozen)");
            return;
        }
        var now = _clock.UtcNow;
        LeaseRecord? seen;
        try
        {
            seen = _file.Update(r => r is not null && r.Holder == _owner && r.Token == _token ? r with { Heartbeat = now } : null, _operationTimeout);
        }
        catch (Exception e) when (e is IOException or TimeoutException or UnauthorizedAccessException)
        {
            Lose($"heartbeat write failed: {e.Message}");
            return;
        }
        if (seen is null || seen.Holder != _owner || seen.Token != _token)
        {
            Lose(seen is null ? "the lease file is gone or corrupt" : seen.IsFree ? $"released by someone else (token {seen.Token})" : $"taken over by {seen.Holder} (token {seen.Token})");
            return;
        }
        _lastWrite = _clock.Elapsed;
        _lastHeartbeat = now;
    }

    /// <summary>Called under the gate. The callback runs on the pool: it must not run while we hold the gate.</summary>
    private void Lose(string reason)
    {
        _held = false;
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
