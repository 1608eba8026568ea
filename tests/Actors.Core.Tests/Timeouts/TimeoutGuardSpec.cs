using Akka.Actor;
using Akka.TestKit;
using Actors.Core.Tests.Simulation;
using Actors.Timeouts;
using Xunit;

namespace Actors.Core.Tests.Timeouts;

/// <summary>The timeout actor on virtual time: deadlines pass, are cancelled, replaced, and counted from the sender's now.</summary>
public sealed class TimeoutGuardSpec() : Akka.TestKit.Xunit2.TestKit("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"\nakka.loglevel = WARNING")
{
    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;
    /// <summary>The monotonic "now" the guard reads by default on a TestScheduler (<see cref="Actors.Scheduling.PolicyClock.Of"/>).</summary>
    private TimeSpan Virtual => Actors.Scheduling.PolicyClock.Of(Clock).Monotonic;
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
        Send(parent, guard, new TimeoutGuard.Arm(Deadline.Run, Five, Virtual, 7));
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
        Send(parent, guard, new TimeoutGuard.Arm(Deadline.Start, Five, Virtual, 1));
        Send(parent, guard, new TimeoutGuard.Arm(Deadline.Budget, TimeSpan.FromSeconds(8), Virtual, 1));
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
        Send(parent, guard, new TimeoutGuard.Arm(Deadline.Run, Five, Virtual, 1));
        Send(parent, guard, new TimeoutGuard.Arm(Deadline.Run, TimeSpan.FromSeconds(20), Virtual, 2));
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
        var decidedAt = Virtual;
        Clock.Advance(TimeSpan.FromSeconds(6));
        Send(parent, guard, new TimeoutGuard.Arm(Deadline.Start, Five, decidedAt, 3));
        Assert.Equal(3, parent.ExpectMsg<TimeoutGuard.DeadlineExceeded>().Tag);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-3)]
    public void A_deadline_passes_after_its_time_even_when_the_wall_clock_steps_before_it_is_armed(int stepHours)
    {
        var wall = new SteppedWallClock(Clock);
        var parent = CreateTestProbe();
        var guard = parent.ChildActorOf(TimeoutGuard.Props(wall.Clock), TimeoutGuard.ChildName);
        var arm = new TimeoutGuard.Arm(Deadline.Budget, Five, wall.Clock.Monotonic, 4);
        // The step lands between the sender's decision and the guard's handling of it.
        wall.AdvanceWall(TimeSpan.FromHours(stepHours));
        Send(parent, guard, arm);
        Settle(guard);
        Assert.False(parent.HasMessages, "the deadline passed at once");
        Clock.Advance(TimeSpan.FromSeconds(4.9));
        Settle(guard);
        Assert.False(parent.HasMessages, "the deadline passed early");
        Clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(4, parent.ExpectMsg<TimeoutGuard.DeadlineExceeded>(TimeSpan.FromSeconds(5)).Tag);
    }

    /// <summary>Identify goes through the guard's mailbox: once answered, whatever it sent before is in the parent's queue.</summary>
    private static void Settle(IActorRef guard) =>
        guard.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(5)).Wait();
}
