using Akka.Actor;

namespace Actors.Scheduling;

/// <summary>
/// The two clocks supervision policy reads. <see cref="Monotonic"/> measures durations (backoff reset, the
/// start-limit window, job budgets, deadlines, ages): it never steps, so a wall-clock change (NTP, an operator's
/// <c>date -s</c>, a VM resumed) changes no decision. <see cref="Wall"/> is for what a person reads: trail times,
/// "running since", "next start at". Never subtract two wall times to decide something.
/// </summary>
public sealed class PolicyClock(Func<TimeSpan> monotonic, Func<DateTimeOffset> wall)
{
    /// <summary>Monotonic time since an arbitrary origin: compare it only with other readings of the same kind.</summary>
    public TimeSpan Monotonic => monotonic();

    /// <summary>UTC wall-clock time, for display only.</summary>
    public DateTimeOffset Wall => wall();

    /// <summary>
    /// The clocks of <paramref name="scheduler"/>. A scheduler that runs on the real clock (Akka marks it
    /// <see cref="IDateTimeOffsetNowTimeProvider"/>: the default HashedWheelTimerScheduler and our DeadlineScheduler)
    /// also has a real monotonic clock, the one its timers run on. Any other scheduler is virtual (TestKit's
    /// TestScheduler, a simulation): its <c>Now</c> is the only time there is, and its <c>MonotonicClock</c> keeps
    /// running in real time, so both clocks are read from <c>Now</c> there and policy runs on virtual time.
    /// </summary>
    public static PolicyClock Of(IScheduler scheduler) => scheduler is IDateTimeOffsetNowTimeProvider
        ? new PolicyClock(() => scheduler.HighResMonotonicClock, () => DateTimeOffset.UtcNow)
        : new PolicyClock(() => TimeSpan.FromTicks(scheduler.Now.UtcTicks), () => scheduler.Now);
}
