using Akka.Actor;
using Akka.Configuration;
using Actors.Scheduling;
using Xunit;

namespace Actors.Core.Tests.Scheduling;

/// <summary>
/// What happens to the scheduler when its ActorSystem terminates: Akka disposes it; what was pending runs once
/// (as with Akka's default scheduler); nothing fires afterwards; scheduling afterwards throws
/// <see cref="SchedulerException"/>, the signal Akka's own dispatchers expect.
/// </summary>
public sealed class DeadlineSchedulerShutdownSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static ActorSystem NewSystem() =>
        ActorSystem.Create("shutdown", ConfigurationFactory.ParseString(DeadlineScheduler.Hocon + "\nakka.loglevel = WARNING"));

    [Fact]
    public async Task Terminating_the_system_runs_pending_work_once_and_stops_repeating_work()
    {
        var system = NewSystem();
        var pendingRan = new TaskCompletionSource();
        system.Scheduler.Advanced.ScheduleOnce(TimeSpan.FromHours(1), () => pendingRan.TrySetResult());
        var cancelledRan = false;
        var cancelled = new Cancelable(system.Scheduler);
        system.Scheduler.Advanced.ScheduleOnce(TimeSpan.FromHours(1), () => cancelledRan = true, cancelled);
        cancelled.Cancel();
        var beats = 0;
        var beating = new TaskCompletionSource();
        system.Scheduler.Advanced.ScheduleRepeatedly(TimeSpan.Zero, TimeSpan.FromMilliseconds(5), () =>
        {
            if (Interlocked.Increment(ref beats) >= 3) beating.TrySetResult();
        });
        // A pending tell to an actor that will be gone: it goes to dead letters, nothing throws.
        var actor = system.ActorOf(Props.Empty);
        system.Scheduler.ScheduleTellOnce(TimeSpan.FromHours(1), actor, "late", ActorRefs.NoSender);
        await beating.Task.WaitAsync(Patience);

        await system.Terminate().WaitAsync(Patience);

        await pendingRan.Task.WaitAsync(Patience);
        Assert.False(cancelledRan);
        var afterStop = Volatile.Read(ref beats);
        await Task.Delay(100);
        Assert.Equal(afterStop, Volatile.Read(ref beats));
    }

    [Fact]
    public async Task Scheduling_after_termination_throws_SchedulerException_as_Akka_does()
    {
        var system = NewSystem();
        await system.Terminate().WaitAsync(Patience);
        Assert.Throws<SchedulerException>(() => system.Scheduler.ScheduleTellOnce(TimeSpan.Zero, ActorRefs.Nobody, "x", ActorRefs.NoSender));
        Assert.Throws<SchedulerException>(() => system.Scheduler.Advanced.ScheduleOnce(TimeSpan.FromSeconds(1), () => { }));
    }

    [Fact]
    public async Task Disposing_twice_is_harmless()
    {
        var system = NewSystem();
        await system.Terminate().WaitAsync(Patience);
        ((IDisposable)system.Scheduler).Dispose();
    }

    [Fact]
    public async Task A_scheduled_action_may_dispose_the_scheduler_or_terminate_the_system()
    {
        var system = NewSystem();
        // One action does both, in this order: scheduled as two, the first could dispose the scheduler (on a loaded
        // machine) before the test thread got to schedule the second, which would then rightly throw.
        system.Scheduler.Advanced.ScheduleOnce(TimeSpan.FromMilliseconds(10), () =>
        {
            ((IDisposable)system.Scheduler).Dispose();
            system.Terminate();
        });
        await system.WhenTerminated.WaitAsync(Patience);
    }
}
