using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

namespace Actors.Scheduling;

/// <summary>
/// An Akka scheduler that sleeps until the next due item instead of ticking. Akka's default
/// HashedWheelTimerScheduler wakes every 10 ms while any timer is pending, and each wake spins the thread pool:
/// measured, one periodic timer (a lease heartbeat) kept an idle node at 5-8% of a core. This one costs nothing
/// between due times and fires within about a millisecond of them, not on the next 10 ms tick.
/// Use it with <see cref="Hocon"/>; the semantics follow HashedWheelTimerScheduler's (see <see cref="DeadlineQueue"/>),
/// and <c>IWithTimers</c> works on it unchanged. TestKit's TestScheduler stays the choice for virtual time.
/// As with Akka's scheduler, scheduled actions run on the scheduler's own thread: they must be short.
/// </summary>
public sealed class DeadlineScheduler : SchedulerBase, IDateTimeOffsetNowTimeProvider, IDisposable
{
    /// <summary>The HOCON line that makes an ActorSystem use this scheduler.</summary>
    public const string Hocon = "akka.scheduler.implementation = \"Actors.Scheduling.DeadlineScheduler, Actors.Core\"";

    private static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly DeadlineQueue _queue;
    private readonly TimeSpan _shutdownTimeout;

    /// <summary>The constructor Akka activates with the ActorSystem's whole config and its log.</summary>
    public DeadlineScheduler(Config config, ILoggingAdapter log) : base(config, log)
    {
        _shutdownTimeout = config.IsNullOrEmpty()
            ? DefaultShutdownTimeout
            : config.GetTimeSpan("akka.scheduler.shutdown-timeout", DefaultShutdownTimeout);
        _queue = new DeadlineQueue(log);
    }

    /// <summary>Entries queued, cancelled ones not yet purged included (for tests).</summary>
    internal int PendingCount => _queue.Count;

    protected override DateTimeOffset TimeNow => DateTimeOffset.UtcNow;

    /// <summary>Whole milliseconds, like Akka's own MonotonicClock.</summary>
    public override TimeSpan MonotonicClock => TimeSpan.FromMilliseconds(Math.Floor(HighResMonotonicClock.TotalMilliseconds));

    public override TimeSpan HighResMonotonicClock => TimeSpan.FromTicks(DeadlineQueue.Now);

    protected override void InternalScheduleTellOnce(TimeSpan delay, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable) =>
        _queue.Add(delay, TimeSpan.Zero, new ScheduledTell(receiver, message, sender), cancelable);

    protected override void InternalScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable) =>
        _queue.Add(initialDelay, interval, new ScheduledTell(receiver, message, sender), cancelable);

    protected override void InternalScheduleOnce(TimeSpan delay, Action action, ICancelable cancelable) =>
        _queue.Add(delay, TimeSpan.Zero, new ActionRunnable(action), cancelable);

    protected override void InternalScheduleOnce(TimeSpan delay, IRunnable action, ICancelable cancelable) =>
        _queue.Add(delay, TimeSpan.Zero, action, cancelable);

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action, ICancelable cancelable) =>
        _queue.Add(initialDelay, interval, new ActionRunnable(action), cancelable);

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, IRunnable action, ICancelable cancelable) =>
        _queue.Add(initialDelay, interval, action, cancelable);

    /// <summary>
    /// Called by the ActorSystem when it terminates: stops the thread, runs what was pending once (as Akka's
    /// scheduler does); from then on scheduling throws <see cref="SchedulerException"/>, which Akka expects.
    /// </summary>
    public void Dispose() => _queue.Stop(_shutdownTimeout);
}
