using Akka.Actor;
using Akka.Coordination;
using Actors.Supervision;

namespace Actors.Leases;

/// <summary>
/// Protocol of the lease keeper: the child <c>lease</c> of a process's supervisor. On <see cref="Acquire"/> it
/// tries to take its lease every <c>retryInterval</c> until it holds it, tells its parent
/// <see cref="LeaseAcquired"/> (with the fencing token), and later <see cref="LeaseLost"/> if the lease
/// reports a loss (it then tries again, for as long as the parent still wants it). While it tries, it tells the
/// parent who holds the lease (<see cref="LeaseObserved"/>), so "waiting" can say for whom. The lease itself
/// heartbeats (see <see cref="FileLease"/>). <see cref="Release"/> gives it back; so does the keeper's stop.
/// </summary>
public static class LeaseKeeper
{
    /// <param name="lease">The lease; if it is an <see cref="IFencedLease"/> its token and holder are reported.</param>
    /// <param name="retryInterval">Between two tries to take the lease, and between two looks at it while held.</param>
    public static Props Props(Lease lease, TimeSpan retryInterval) =>
        FactoryProps.Of(() => new LeaseKeeperActor(lease, retryInterval));

    /// <summary>Take the lease as soon as it can be had, and keep it.</summary>
    public sealed record Acquire
    {
        public static readonly Acquire Instance = new();
    }

    /// <summary>Give the lease back (stop trying if not yet held).</summary>
    public sealed record Release
    {
        public static readonly Release Instance = new();
    }

    /// <summary>The lease is ours; <paramref name="Token"/> is the fencing token of this holding.</summary>
    public sealed record LeaseAcquired(string Name, long Token);

    /// <summary>The lease was ours and is not any more; the reason says how it was lost.</summary>
    public sealed record LeaseLost(string Name, string Reason);

    /// <summary>How the lease looked at the last try or look (holder, token, heartbeat age).</summary>
    public sealed record LeaseObserved(LeaseStatus Status);
}
