using Akka.Actor;

namespace Actors.Scheduling;

/// <summary>
/// Puts a node's periodic housekeeping (the lock heartbeat, the idle memory trim) on one grid: a timer with period P
/// first fires at the next whole multiple of P on its scheduler's monotonic clock, and DeadlineScheduler's fixed rate
/// keeps it there, so every 10 s timer fires at the same instant (as the kernel's round_jiffies() rounds periodic
/// timers to whole seconds so that they fire together). On an idle node each wake-up costs far more than its work:
/// one burst of thread-pool work wakes the pool's gate thread for about a second and the finalizer thread two seconds
/// later. Measured with 500 processes (bench/lean.py, medians of 3; bench/README.md, issue 14): the heartbeat and the
/// trim at unrelated phases, two bursts per 10 s, 0.051 % of a core and 1.97 wake-ups a second; on one grid, one
/// burst, 0.040 % and 1.30.
/// </summary>
public static class HousekeepingGrid
{
    /// <summary>
    /// The delay from now to the next multiple of <paramref name="period"/> on <paramref name="scheduler"/>'s
    /// monotonic clock: in (0, period]. A non-positive period has no grid: zero.
    /// </summary>
    public static TimeSpan UntilNextBeat(IScheduler scheduler, TimeSpan period) =>
        UntilNextBeat(scheduler.HighResMonotonicClock, period);

    internal static TimeSpan UntilNextBeat(TimeSpan now, TimeSpan period) =>
        period <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks(period.Ticks - now.Ticks % period.Ticks);
}
