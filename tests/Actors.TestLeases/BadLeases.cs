using Akka.Coordination;

namespace Actors.TestLeases;

/// <summary>Not a lease at all: check-config must say so.</summary>
public sealed class NotALease
{
}

/// <summary>A lease Akka's LeaseProvider cannot make: its constructor wants more than the settings and the system.</summary>
public sealed class WrongConstructorLease(LeaseSettings settings, int extra) : Lease(settings)
{
    public int Extra { get; } = extra;
    public override Task<bool> Acquire() => Task.FromResult(false);
    public override Task<bool> Acquire(Action<Exception?>? leaseLostCallback) => Task.FromResult(false);
    public override Task<bool> Release() => Task.FromResult(true);
    public override bool CheckLease() => false;
}

/// <summary>A lease whose constructor fails, as one that finds no store to talk to: the process waits and the log says why.</summary>
public sealed class ThrowingLease : Lease
{
    public ThrowingLease(LeaseSettings settings) : base(settings) =>
        throw new InvalidOperationException("no lease store reachable at " + settings.LeaseConfig.GetString("store", "(no store set)"));

    public override Task<bool> Acquire() => Task.FromResult(false);
    public override Task<bool> Acquire(Action<Exception?>? leaseLostCallback) => Task.FromResult(false);
    public override Task<bool> Release() => Task.FromResult(true);
    public override bool CheckLease() => false;
}
