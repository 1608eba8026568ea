using Akka.Actor;
using Actors.Scheduling;
using Actors.Supervision;

namespace Actors.Timeouts;

/// <summary>The deadlines a process supervisor sets.</summary>
public enum Deadline
{
    /// <summary>timeout.start: launched, but not up in time (running, startup probe passed, ready once).</summary>
    Start,
    /// <summary>timeout.run: one run lasted too long.</summary>
    Run,
    /// <summary>retry.budget: the whole job (every attempt and backoff) lasted too long.</summary>
    Budget,
}

/// <summary>
/// Protocol of the timeout actor (child <c>timeout</c> of a ProcessSupervisor): it holds the process's deadlines
/// and reports the ones that pass with <see cref="DeadlineExceeded"/>. It never touches the process; the
/// supervisor's lifecycle decides. Each deadline carries the supervisor's tag (its run number), so a report
/// about an earlier run is recognised as stale even if it crossed a <see cref="Disarm"/> in the mailboxes.
/// <para>
/// Why it exists beside <c>IWithTimers</c>: it does not replace it, it is built on it (one single timer per
/// deadline kind). What it adds is small and deliberate: a deadline is anchored at the monotonic time the
/// lifecycle decided (<see cref="Arm.From"/>), not at when a message is handled, so the time spent in mailboxes
/// is not added to it and a deadline already past is reported at once; and deadlines are a separate child, as the
/// design card keeps probes, timeouts and leases, so the lifecycle sees them as events like any other and a
/// simulation can drive them on virtual time. It is not <c>Scheduling/DeadlineScheduler</c>: that is the
/// node-wide Akka scheduler (which <c>IWithTimers</c>, and so this actor, runs on); under TestKit both give way
/// to TestScheduler.
/// </para>
/// </summary>
public static class TimeoutGuard
{
    public const string ChildName = "timeout";

    /// <param name="clock">The clock deadlines are measured on; null: the ActorSystem scheduler's (<see cref="PolicyClock.Of"/>).</param>
    public static Props Props(PolicyClock? clock = null) => FactoryProps.Of(() => new TimeoutGuardActor(clock));

    /// <summary>
    /// Set (or replace) <paramref name="Deadline"/> to pass <paramref name="After"/> from <paramref name="From"/>, the
    /// sender's "now" on the monotonic clock (<see cref="PolicyClock.Monotonic"/>): counted from when the sender
    /// decided, not from when this message is handled, and unmoved by a wall-clock step in between.
    /// </summary>
    public sealed record Arm(Deadline Deadline, TimeSpan After, TimeSpan From, int Tag);

    /// <summary>Cancel <paramref name="Deadline"/> if set; nothing happens if it is not.</summary>
    public sealed record Disarm(Deadline Deadline);

    /// <summary>To the parent: <paramref name="Deadline"/>, set <paramref name="After"/> before, has passed.</summary>
    public sealed record DeadlineExceeded(Deadline Deadline, TimeSpan After, int Tag);
}

internal sealed class TimeoutGuardActor : DelegateReceiveActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;

    private readonly PolicyClock _clock;

    public TimeoutGuardActor(PolicyClock? clock)
    {
        _clock = clock ?? PolicyClock.Of(Context.System.Scheduler);
        Receive<TimeoutGuard.Arm>(m =>
        {
            var exceeded = new TimeoutGuard.DeadlineExceeded(m.Deadline, m.After, m.Tag);
            var left = m.From + m.After - _clock.Monotonic;
            if (left > TimeSpan.Zero) Timers.StartSingleTimer(m.Deadline, exceeded, left);
            else
            {
                Timers.Cancel(m.Deadline);
                Context.Parent.Tell(exceeded);
            }
        });
        Receive<TimeoutGuard.Disarm>(m => Timers.Cancel(m.Deadline));
        // The timer's message comes to this actor; the parent decides what it means.
        Receive<TimeoutGuard.DeadlineExceeded>(m => Context.Parent.Tell(m));
    }
}
