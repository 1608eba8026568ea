using Akka.TestKit;
using Actors.Scheduling;

namespace Actors.Core.Tests.Simulation;

/// <summary>
/// The policy clocks on a <see cref="TestScheduler"/>, with a wall clock that can step: monotonic time is the
/// scheduler's virtual time (it moves only with <c>Advance</c>, as the timers do), and the wall clock is that time
/// plus whatever steps the test made (NTP, <c>date -s</c>, a resumed VM).
/// </summary>
public sealed class SteppedWallClock(TestScheduler scheduler)
{
    private long _stepTicks;

    public PolicyClock Clock => new(() => TimeSpan.FromTicks(scheduler.Now.UtcTicks), () => Wall);

    public DateTimeOffset Wall => scheduler.Now + TimeSpan.FromTicks(Interlocked.Read(ref _stepTicks));

    /// <summary>Only the wall clock moves, by <paramref name="by"/> (back when negative); monotonic time does not.</summary>
    public void AdvanceWall(TimeSpan by) => Interlocked.Add(ref _stepTicks, by.Ticks);
}
