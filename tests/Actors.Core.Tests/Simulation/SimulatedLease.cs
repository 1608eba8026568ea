using Akka.Coordination;
using Actors.Leases;

namespace Actors.Core.Tests.Simulation;

/// <summary>
/// A lease the test hands out and takes away: another node "holds" it, frees it, or takes it over (which
/// reports the loss to our holder, as a real lease does when it finds another holder).
/// </summary>
public sealed class SimulatedLease(LeaseSettings settings) : Lease(settings), IFencedLease
{
    private readonly object _gate = new();
    private string? _holder;
    private long _token;
    private Action<Exception?>? _lost;

    public int Releases { get; private set; }

    public string? Holder { get { lock (_gate) return _holder; } }

    public long Token { get { lock (_gate) return _token; } }

    public override Task<bool> Acquire() => Acquire(null);

    public override Task<bool> Acquire(Action<Exception?>? leaseLostCallback)
    {
        lock (_gate)
        {
            if (_holder is not null && _holder != Settings.OwnerName) return Task.FromResult(false);
            if (_holder is null) _token++;
            _holder = Settings.OwnerName;
            _lost = leaseLostCallback;
            return Task.FromResult(true);
        }
    }

    public override bool CheckLease() { lock (_gate) return _holder == Settings.OwnerName; }

    public override Task<bool> Release()
    {
        lock (_gate)
        {
            if (_holder == Settings.OwnerName) _holder = null;
            Releases++;
            return Task.FromResult(true);
        }
    }

    public LeaseStatus Inspect() { lock (_gate) return new LeaseStatus(Settings.LeaseName, _holder == Settings.OwnerName, _holder, _token, TimeSpan.Zero); }

    /// <summary>Another node holds it (a new holding: a new token); our holder, if any, hears it lost it.</summary>
    public void TakeBy(string other)
    {
        Action<Exception?>? lost;
        lock (_gate)
        {
            lost = _holder == Settings.OwnerName ? _lost : null;
            _holder = other;
            _token++;
            _lost = null;
        }
        lost?.Invoke(new LeaseException($"taken over by {other} (token {_token})"));
    }

    /// <summary>The other node released it.</summary>
    public void Free() { lock (_gate) _holder = null; }
}
