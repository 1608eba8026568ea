using Akka.TestKit;
using Actors.Timeouts;
using Xunit;

namespace Actors.Core.Tests.Timeouts;

/// <summary>The timeout actor on virtual time: deadlines pass, are cancelled, replaced, and counted from the sender's now.</summary>
public sealed class TimeoutGuardSpec() : Akka.TestKit.Xunit2.TestKit("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"\nakka.loglevel = WARNING")
{
    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;
    private static readonly TimeSpan Five = TimeSpan.FromSeconds(5);

    private (TestProbe Parent, Akka.Actor.IActorRef Guard) Guard()
    {
        var parent = CreateTestProbe();
        var guard = parent.ChildActorOf(TimeoutGuard.Props(), TimeoutGuard.ChildName);
        return (parent, guard);
    }

    /// <summary>Tells the guard as its parent would. The ExpectNoMsg pauses let the guard handle it before time moves.</summary>
    private static void Send(TestProbe parent, Akka.Actor.IActorRef guard, object message)
    {
        guard.Tell(message, parent.Ref);
    }

    [Fact]
    public void A_deadline_passes_once_at_its_time_with_its_tag()
    {
        var (parent, guard) = Guard();
        Send(parent, guard, new TimeoutGuard.Arm(Deadline.Run, Five, Clock.Now, 7));
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Clock.Advance(TimeSpan.FromSeconds(4.9));
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(new TimeoutGuard.DeadlineExceeded(Deadline.Run, Five, 7), parent.ExpectMsg<TimeoutGuard.DeadlineExceeded>());
        Clock.Advance(TimeSpan.FromMinutes(1));
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void A_disarmed_deadline_never_passes_and_others_are_untouched()
    {
        var (parent, guard) = Guard();
        Send(parent, guard, new TimeoutGuard.Arm(Deadline.Start, Five, Clock.Now, 1));
        Send(parent, guard, new TimeoutGuard.Arm(Deadline.Budget, TimeSpan.FromSeconds(8), Clock.Now, 1));
        Send(parent, guard, new TimeoutGuard.Disarm(Deadline.Start));
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(Deadline.Budget, parent.ExpectMsg<TimeoutGuard.DeadlineExceeded>().Deadline);
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Arming_again_replaces_the_deadline()
    {
        var (parent, guard) = Guard();
        Send(parent, guard, new TimeoutGuard.Arm(Deadline.Run, Five, Clock.Now, 1));
        Send(parent, guard, new TimeoutGuard.Arm(Deadline.Run, TimeSpan.FromSeconds(20), Clock.Now, 2));
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Clock.Advance(TimeSpan.FromSeconds(10));
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(2, parent.ExpectMsg<TimeoutGuard.DeadlineExceeded>().Tag);
    }

    [Fact]
    public void A_deadline_counts_from_the_senders_now_so_one_already_past_passes_at_once()
    {
        var (parent, guard) = Guard();
        var decidedAt = Clock.Now;
        Clock.Advance(TimeSpan.FromSeconds(6));
        Send(parent, guard, new TimeoutGuard.Arm(Deadline.Start, Five, decidedAt, 3));
        Assert.Equal(3, parent.ExpectMsg<TimeoutGuard.DeadlineExceeded>().Tag);
    }
}
