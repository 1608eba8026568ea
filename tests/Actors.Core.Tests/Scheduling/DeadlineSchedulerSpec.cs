using System.Diagnostics;
using Akka.Actor;
using Akka.Dispatch;
using Actors.Scheduling;
using Xunit;

namespace Actors.Core.Tests.Scheduling;

/// <summary>
/// The deadline scheduler in real time, under an ActorSystem configured with it: what is scheduled arrives, never
/// early, in due order; what is cancelled does not. Waits are bounded (they fail slowly, never flake early);
/// a lower bound on elapsed time is exact, because the scheduler never fires before the due time.
/// </summary>
public sealed class DeadlineSchedulerSpec() : Akka.TestKit.Xunit2.TestKit(DeadlineScheduler.Hocon)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private IScheduler Scheduler => Sys.Scheduler;

    [Fact]
    public void The_actor_system_runs_on_the_deadline_scheduler() => Assert.IsType<DeadlineScheduler>(Sys.Scheduler);

    [Fact]
    public async Task A_tell_once_arrives_and_not_before_its_delay()
    {
        var clock = Stopwatch.StartNew();
        Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(150), TestActor, "once", ActorRefs.NoSender);
        await ExpectMsgAsync("once", Patience);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(150), $"arrived after {clock.Elapsed}");
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_repeated_tell_waits_the_initial_delay_then_comes_every_interval()
    {
        var initial = TimeSpan.FromMilliseconds(200);
        var interval = TimeSpan.FromMilliseconds(40);
        var clock = Stopwatch.StartNew();
        var task = Scheduler.ScheduleTellRepeatedlyCancelable(initial, interval, TestActor, "beat", ActorRefs.NoSender);
        for (var k = 0; k < 6; k++)
        {
            await ExpectMsgAsync("beat", Patience);
            // Fixed rate from the first due time: beat k is due at initial + k * interval, never earlier.
            Assert.True(clock.Elapsed >= initial + k * interval, $"beat {k} after {clock.Elapsed}");
        }
        task.Cancel();
    }

    [Fact]
    public async Task Scheduled_actions_run_once_or_repeatedly()
    {
        var once = new TaskCompletionSource();
        Scheduler.Advanced.ScheduleOnce(TimeSpan.FromMilliseconds(20), () => once.SetResult());
        await once.Task.WaitAsync(Patience);

        var runs = 0;
        var repeated = new Cancelable(Scheduler);
        Scheduler.Advanced.ScheduleRepeatedly(TimeSpan.Zero, TimeSpan.FromMilliseconds(10), () => Interlocked.Increment(ref runs), repeated);
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref runs) >= 5), Patience);
        repeated.Cancel();
    }

    [Fact]
    public async Task Cancelled_before_it_is_due_nothing_arrives()
    {
        var once = Scheduler.ScheduleTellOnceCancelable(TimeSpan.FromMilliseconds(100), TestActor, "once", ActorRefs.NoSender);
        var repeated = Scheduler.ScheduleTellRepeatedlyCancelable(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(10), TestActor, "beat", ActorRefs.NoSender);
        once.Cancel();
        repeated.Cancel();
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task A_repeated_tell_cancelled_after_some_beats_stops()
    {
        var task = Scheduler.ScheduleTellRepeatedlyCancelable(TimeSpan.Zero, TimeSpan.FromMilliseconds(50), TestActor, "beat", ActorRefs.NoSender);
        for (var k = 0; k < 3; k++) await ExpectMsgAsync("beat", Patience);
        task.Cancel();
        // On a busy machine more beats may have come before the cancel: a tell scheduled after it is a fence that
        // the scheduler's thread delivers after any beat it fired before the cancel took effect.
        Scheduler.ScheduleTellOnce(TimeSpan.Zero, TestActor, "fence", ActorRefs.NoSender);
        await FishForMessageAsync(m => m switch
        {
            "fence" => true,
            "beat" => false,
            _ => throw new InvalidOperationException($"unexpected {m}"),
        }, Patience);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public async Task Cancelling_a_tell_that_already_came_changes_nothing()
    {
        var task = Scheduler.ScheduleTellOnceCancelable(TimeSpan.Zero, TestActor, "once", ActorRefs.NoSender);
        await ExpectMsgAsync("once", Patience);
        task.Cancel();
        Assert.True(task.IsCancellationRequested);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_zero_delay_runs_promptly_and_a_negative_one_too_where_Akka_lets_it_through()
    {
        Scheduler.ScheduleTellOnce(TimeSpan.Zero, TestActor, "zero", ActorRefs.NoSender);
        await ExpectMsgAsync("zero", Patience);
        // SchedulerBase refuses a negative delay on the public API, as with any Akka scheduler...
        Assert.Throws<ArgumentOutOfRangeException>(() => Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(-1), TestActor, "no", ActorRefs.NoSender));
        // ...but not on the IRunnable overloads: there it means "now".
        var self = TestActor;
        ((SchedulerBase)Scheduler).ScheduleOnce(TimeSpan.FromSeconds(-1), new ActionRunnable(() => self.Tell("negative")));
        await ExpectMsgAsync("negative", Patience);
    }

    [Fact]
    public async Task Delays_beyond_what_a_dotnet_timer_takes_wait_without_blocking_sooner_items()
    {
        var far = new[]
        {
            Scheduler.ScheduleTellOnceCancelable(TimeSpan.FromDays(60), TestActor, "60 days", ActorRefs.NoSender),
            Scheduler.ScheduleTellOnceCancelable(TimeSpan.MaxValue, TestActor, "forever", ActorRefs.NoSender),
            Scheduler.ScheduleTellRepeatedlyCancelable(TimeSpan.FromDays(50), TimeSpan.MaxValue, TestActor, "rarely", ActorRefs.NoSender),
        };
        Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(30), TestActor, "soon", ActorRefs.NoSender);
        await ExpectMsgAsync("soon", Patience);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        foreach (var task in far) task.Cancel();
    }

    [Fact]
    public async Task Thousands_of_pending_tells_all_arrive_in_due_order()
    {
        const int count = 5000;
        static TimeSpan Delay(int i) => TimeSpan.FromMilliseconds(i * 7919 % 500);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) Scheduler.ScheduleTellOnce(Delay(i), TestActor, i, ActorRefs.NoSender);
        // Each due time is its delay plus when it was scheduled, somewhere within this spread.
        var spread = clock.Elapsed;
        var latest = TimeSpan.Zero;
        var seen = new HashSet<int>();
        for (var n = 0; n < count; n++)
        {
            var i = await ExpectMsgAsync<int>(Patience);
            Assert.True(seen.Add(i), $"message {i} twice");
            Assert.True(clock.Elapsed >= Delay(i), $"message {i} came early");
            // One thread tells every due item in due order, into one mailbox: arrival order is due order.
            Assert.True(Delay(i) + spread >= latest, $"message {i} (delay {Delay(i)}) after one with delay {latest}; spread {spread}");
            if (Delay(i) > latest) latest = Delay(i);
        }
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Cancelled_timers_do_not_pile_up_in_the_queue()
    {
        for (var i = 0; i < 10_000; i++)
            Scheduler.ScheduleTellOnceCancelable(TimeSpan.FromHours(1), TestActor, i, ActorRefs.NoSender).Cancel();
        Assert.True(((DeadlineScheduler)Scheduler).PendingCount <= 1024, $"{((DeadlineScheduler)Scheduler).PendingCount} queued");
        Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(10), TestActor, "live", ActorRefs.NoSender);
        await ExpectMsgAsync("live", Patience);
    }

    [Fact]
    public async Task A_failing_action_is_logged_and_the_scheduler_goes_on()
    {
        var failures = 0;
        await EventFilter.Exception<InvalidOperationException>(contains: "scheduled failure").ExpectOneAsync(async () =>
        {
            Scheduler.Advanced.ScheduleRepeatedly(TimeSpan.Zero, TimeSpan.FromMilliseconds(10), () =>
            {
                Interlocked.Increment(ref failures);
                throw new InvalidOperationException("scheduled failure (expected by the test)");
            });
            Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(100), TestActor, "after", ActorRefs.NoSender);
            await ExpectMsgAsync("after", Patience);
        });
        // As Akka's own scheduler: a repeating action that throws is not run again.
        Assert.Equal(1, Volatile.Read(ref failures));
    }
}
