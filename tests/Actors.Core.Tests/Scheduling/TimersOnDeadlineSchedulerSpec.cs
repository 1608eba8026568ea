using Akka.Actor;
using Actors.Scheduling;
using Xunit;

namespace Actors.Core.Tests.Scheduling;

/// <summary><c>IWithTimers</c>, as the node's actors use it, on top of the deadline scheduler in real time.</summary>
public sealed class TimersOnDeadlineSchedulerSpec() : Akka.TestKit.Xunit2.TestKit(DeadlineScheduler.Hocon)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private sealed record Single(string Key, TimeSpan Delay);
    private sealed record Periodic(string Key, TimeSpan Interval);
    private sealed record Cancel(string Key);
    private sealed record Tick(string Key, int Generation);
    private sealed record Cancelled(string Key);

    /// <summary>Starts and cancels timers on command; every tick goes to the probe, tagged with the start it came from.</summary>
    private sealed class TimedActor : ReceiveActor, IWithTimers
    {
        public ITimerScheduler Timers { get; set; } = null!;

        public TimedActor(IActorRef probe)
        {
            var starts = 0;
            Receive<Single>(m => Timers.StartSingleTimer(m.Key, new Tick(m.Key, ++starts), m.Delay));
            Receive<Periodic>(m => Timers.StartPeriodicTimer(m.Key, new Tick(m.Key, ++starts), m.Interval));
            Receive<Cancel>(m =>
            {
                Timers.Cancel(m.Key);
                Sender.Tell(new Cancelled(m.Key));
            });
            Receive<Tick>(probe.Tell);
        }
    }

    private IActorRef Timed() => Sys.ActorOf(Props.Create(() => new TimedActor(TestActor)));

    [Fact]
    public async Task A_single_timer_fires_once()
    {
        var actor = Timed();
        actor.Tell(new Single("t", TimeSpan.FromMilliseconds(50)));
        await ExpectMsgAsync(new Tick("t", 1), Patience);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_periodic_timer_fires_until_cancelled()
    {
        var actor = Timed();
        actor.Tell(new Periodic("p", TimeSpan.FromMilliseconds(20)));
        for (var k = 0; k < 5; k++) await ExpectMsgAsync(new Tick("p", 1), Patience);
        actor.Tell(new Cancel("p"));
        // Ticks the actor handled before the cancel reach the probe ahead of its answer (on a busy machine several
        // can be queued here already); ticks still in its mailbox are dropped by the timer generation check.
        await FishForMessageAsync(m => m switch
        {
            Cancelled => true,
            Tick { Key: "p", Generation: 1 } => false,
            _ => throw new InvalidOperationException($"unexpected {m}"),
        }, Patience);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Restarting_a_timer_replaces_the_pending_one()
    {
        var actor = Timed();
        actor.Tell(new Single("t", TimeSpan.FromMilliseconds(100)));
        actor.Tell(new Single("t", TimeSpan.FromMilliseconds(150)));
        await ExpectMsgAsync(new Tick("t", 2), Patience);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_cancelled_single_timer_never_fires()
    {
        var actor = Timed();
        actor.Tell(new Single("t", TimeSpan.FromMilliseconds(100)));
        actor.Tell(new Cancel("t"));
        await ExpectMsgAsync(new Cancelled("t"), Patience);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Timers_of_a_stopped_actor_stop_with_it()
    {
        var actor = Timed();
        actor.Tell(new Periodic("p", TimeSpan.FromMilliseconds(20)));
        await ExpectMsgAsync(new Tick("p", 1), Patience);
        var watcher = CreateTestProbe();
        watcher.Watch(actor);
        Sys.Stop(actor);
        await watcher.ExpectTerminatedAsync(actor, Patience);
        // Ticks the actor passed on before it stopped are already here; none may come after.
        while (HasMessages) await ExpectMsgAsync<Tick>(Patience);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }
}
