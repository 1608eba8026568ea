using System.Globalization;
using Akka.Actor;
using Akka.Coordination;

namespace Actors.TestLeases;

/// <summary>
/// A lease kept in this process's memory, shared by every instance of the same name (so two supervisors in one test
/// process compete for it), with no fencing token: what a third-party lease looks like to the node. Its own
/// settings (lease.settings) are used so that a test can see they arrived:
/// <list type="bullet">
/// <item><c>marker</c>: a file it appends "acquired OWNER greeting=G interval=MS ttl=MS op=MS" to at each acquisition
/// (the greeting from <c>greeting</c>, the times from its lease config block);</item>
/// <item><c>revoke-file</c>: while this file exists the lease cannot be taken, and a holder loses it (at its next
/// CheckLease), as when another party took it in the store.</item>
/// </list>
/// </summary>
public sealed class MemoryLease : Lease
{
    private static readonly Dictionary<string, string> Holders = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, Action<Exception?>> Callbacks = new(StringComparer.Ordinal);

    private readonly string? _marker, _revokeFile, _greeting;

    public MemoryLease(LeaseSettings settings, ExtendedActorSystem system) : base(settings)
    {
        _ = system;
        _marker = Optional(settings, "marker");
        _revokeFile = Optional(settings, "revoke-file");
        _greeting = Optional(settings, "greeting");
    }

    private static string? Optional(LeaseSettings settings, string key)
    {
        var value = settings.LeaseConfig.GetString(key, "");
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private string Key => Settings.LeaseName;

    /// <summary>Who holds <paramref name="name"/> now, or null.</summary>
    public static string? HolderOf(string name)
    {
        lock (Holders) return Holders.GetValueOrDefault(name);
    }

    /// <summary>Another party takes <paramref name="name"/>: the holder is told it lost it.</summary>
    public static void TakeBy(string name, string other)
    {
        Action<Exception?>? callback;
        lock (Holders)
        {
            Holders[name] = other;
            Callbacks.Remove(name, out callback);
        }
        callback?.Invoke(new LeaseException($"taken by {other}"));
    }

    /// <summary>Frees <paramref name="name"/> without telling anyone.</summary>
    public static void Free(string name)
    {
        lock (Holders)
        {
            Holders.Remove(name);
            Callbacks.Remove(name);
        }
    }

    public override Task<bool> Acquire() => Acquire(null);

    public override Task<bool> Acquire(Action<Exception?>? leaseLostCallback)
    {
        lock (Holders)
        {
            if (Revoked()) return Task.FromResult(false);
            if (Holders.TryGetValue(Key, out var holder) && holder != Settings.OwnerName) return Task.FromResult(false);
            Holders[Key] = Settings.OwnerName;
            if (leaseLostCallback is not null) Callbacks[Key] = leaseLostCallback;
        }
        if (_marker is not null)
        {
            var t = Settings.TimeoutSettings;
            File.AppendAllText(_marker, string.Create(CultureInfo.InvariantCulture,
                $"acquired {Settings.OwnerName} greeting={_greeting} interval={t.HeartbeatInterval.TotalMilliseconds} ttl={t.HeartbeatTimeout.TotalMilliseconds} op={t.OperationTimeout.TotalMilliseconds}\n"));
        }
        return Task.FromResult(true);
    }

    public override Task<bool> Release()
    {
        lock (Holders)
        {
            if (Holders.TryGetValue(Key, out var holder) && holder == Settings.OwnerName)
            {
                Holders.Remove(Key);
                Callbacks.Remove(Key);
            }
        }
        return Task.FromResult(true);
    }

    public override bool CheckLease()
    {
        lock (Holders)
        {
            if (Revoked() && Holders.TryGetValue(Key, out var holder) && holder == Settings.OwnerName)
            {
                Holders.Remove(Key);
                Callbacks.Remove(Key);
            }
            return Holders.TryGetValue(Key, out var now) && now == Settings.OwnerName;
        }
    }

    private bool Revoked() => _revokeFile is not null && File.Exists(_revokeFile);
}
