using System.Globalization;
using System.Reflection;
using Akka.Actor;
using Akka.Configuration;
using Akka.Coordination;
using Akka.Event;
using Actors.Configuration;

namespace Actors.Leases;

/// <summary>
/// Makes the lease a process's <c>lease.class</c> names, as Akka's <c>LeaseProvider</c> would: its config block is
/// <c>lease-class</c>, <c>heartbeat-interval</c>, <c>heartbeat-timeout</c> (the ttl) and <c>lease-operation-timeout</c>
/// from the lease block, with the keys of <c>lease.settings</c>, over the ActorSystem's <c>akka.coordination.lease</c>
/// defaults. A class that cannot be made (check-config caught what it can; a constructor may still throw, e.g. when it
/// finds no Kubernetes API) gives a lease that is never acquired and says why once in the node's log, so that the
/// process waits with that reason and the node and its other processes run on.
/// </summary>
public static class ClassLeases
{
    /// <summary>The config block the implementation is made with.</summary>
    public static Config BlockFor(ProcessLeaseSettings lease, TimeSpan operationTimeout, Config? fallback = null)
    {
        var block = ConfigurationFactory.ParseString(BlockText(lease, operationTimeout));
        return fallback is null ? block : block.WithFallback(fallback);
    }

    /// <summary>
    /// The block as HOCON text, for Akka's own users of a lease (the split brain resolver's lease-majority): a
    /// <c>lease.class</c>'s block, or the <see cref="FileLease"/>'s with its <c>folder</c> when there is no class.
    /// </summary>
    public static string BlockText(ProcessLeaseSettings lease, TimeSpan operationTimeout)
    {
        static string S(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        static string Q(string s) => System.Text.Json.JsonSerializer.Serialize(s);
        var leaseClass = lease.Class ?? $"{typeof(FileLease).FullName}, {typeof(FileLease).Assembly.GetName().Name}";
        // Later keys win: the operation timeout is a default lease.settings may override; the last three it may not.
        return $"lease-operation-timeout = {S(operationTimeout)}\n{lease.Settings}\n" +
               (lease.Class is null ? $"folder = {Q(lease.Folder)}\n" : "") +
               $"lease-class = {Q(leaseClass)}\nheartbeat-interval = {S(lease.HeartbeatInterval)}\nheartbeat-timeout = {S(lease.Ttl)}\n";
    }

    /// <summary>The longest a lease operation may take: well inside the TTL (min(ttl/2, 5s)), unless lease.settings sets it.</summary>
    public static TimeSpan OperationTimeout(ProcessLeaseSettings lease) =>
        TimeSpan.FromTicks(Math.Min(lease.Ttl.Ticks / 2, TimeSpan.FromSeconds(5).Ticks));

    /// <summary>
    /// The lease, wrapped for the supervisor (<see cref="ClassLease"/>), owned by <paramref name="owner"/>; its
    /// confirmations run on the system's scheduler and <paramref name="clock"/> (the scheduler's own, so that on virtual
    /// time they agree).
    /// </summary>
    public static Lease Create(ProcessLeaseSettings lease, TimeSpan operationTimeout, TimeSpan validity, ActorSystem system, string owner, LeaseClock clock)
    {
        var log = Akka.Event.Logging.GetLogger(system, typeof(ClassLease));
        var settings = LeaseSettings.Create(BlockFor(lease, operationTimeout, system.Settings.Config.GetConfig("akka.coordination.lease")), lease.Name, owner);
        var type = LeaseClass.Resolve(lease.Class!, lease.Assembly, out var problem);
        var why = type is null ? problem : LeaseClass.ShapeProblem(type);
        if (why is not null) return new BrokenLease(settings, $"lease.class \"{lease.Class}\": {why}", log);
        try
        {
            var constructor = LeaseClass.Constructor(type!)!;
            var inner = (Lease)(constructor.GetParameters().Length == 2
                ? constructor.Invoke([settings, (ExtendedActorSystem)system])
                : constructor.Invoke([settings]));
            return new ClassLease(inner, validity, system.Scheduler, clock, log);
        }
        catch (TargetInvocationException e)
        {
            return new BrokenLease(settings, $"lease.class \"{lease.Class}\" could not be made: {e.GetBaseException().Message}", log);
        }
    }

    /// <summary>A lease that could not be made: never acquired; the reason goes to the log once.</summary>
    private sealed class BrokenLease(LeaseSettings settings, string reason, ILoggingAdapter log) : Lease(settings)
    {
        private int _said;

        public override Task<bool> Acquire() => Acquire(null);

        public override Task<bool> Acquire(Action<Exception?>? leaseLostCallback)
        {
            if (Interlocked.Exchange(ref _said, 1) == 0)
                log.Error("lease {0}: {1}; the process waits for a lease it cannot get until the configuration is fixed (actors reload)", Settings.LeaseName, reason);
            return Task.FromResult(false);
        }

        public override Task<bool> Release() => Task.FromResult(true);

        public override bool CheckLease() => false;
    }
}
