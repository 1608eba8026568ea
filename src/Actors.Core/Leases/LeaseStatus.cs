namespace Actors.Leases;

/// <summary>
/// What is known of a lease, for status output: its name, whether this node holds it, the holder last seen
/// (null when the lease is free or was never seen), its fencing token and the age of the holder's last heartbeat.
/// </summary>
public sealed record LeaseStatus(string Name, bool Held, string? Holder, long Token, TimeSpan? HeartbeatAge);

/// <summary>
/// A lease that hands out fencing tokens and can be looked at: what <see cref="LeaseKeeper"/> needs beyond
/// Akka's <see cref="Akka.Coordination.Lease"/> to pass the token to the process and to tell who holds it.
/// </summary>
public interface IFencedLease
{
    /// <summary>The token of the current holding; meaningful only while held. Increases with every new holder.</summary>
    long Token { get; }

    /// <summary>Reads the current state of the lease (may do I/O: call it off the actor's thread).</summary>
    LeaseStatus Inspect();

    /// <summary>
    /// True (the default) when <see cref="Inspect"/> may block (file I/O): the keeper calls it on the thread pool. A lease
    /// that answers from memory says false and is read on the keeper's own thread, so that on virtual time its
    /// answer is handled in the same turn.
    /// </summary>
    bool InspectMayBlock => true;
}

/// <summary>
/// A lease that can say why it no longer vouches for a holding (its <see cref="Akka.Coordination.Lease.CheckLease"/> turned
/// false), so that the process is stopped with the real reason rather than a guess.
/// </summary>
public interface IExplainedLease
{
    /// <summary>Why the holding is not good now; null when it is (or was never held).</summary>
    string? WhyNotHeld { get; }
}

/// <summary>
/// The two clocks a lease needs. Heartbeats are wall-clock UTC timestamps, because other holders (other
/// processes, maybe other machines) compare them with their own wall clock; clocks of nodes sharing a lease
/// folder are assumed to agree within a small fraction of the TTL. A holder judges its own lease by its
/// monotonic clock: it counts the lease lost once it has not written a heartbeat for a TTL, whatever the wall
/// clock says (a frozen or stalled node must not trust a heartbeat it wrote before it froze).
/// </summary>
public sealed class LeaseClock(Func<DateTimeOffset> utcNow, Func<TimeSpan> elapsed)
{
    /// <summary>The real clocks: <see cref="DateTimeOffset.UtcNow"/> and the monotonic stopwatch.</summary>
    public static readonly LeaseClock System = new(() => DateTimeOffset.UtcNow, () => global::System.Diagnostics.Stopwatch.GetElapsedTime(Origin));

    private static readonly long Origin = global::System.Diagnostics.Stopwatch.GetTimestamp();

    public DateTimeOffset UtcNow => utcNow();

    /// <summary>Monotonic time since an arbitrary origin.</summary>
    public TimeSpan Elapsed => elapsed();
}
