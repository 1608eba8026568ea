using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;
using Actors.Supervision;
using Xunit;

namespace Actors.Core.Tests.Supervision;

/// <summary>
/// The node's default mailbox (LeanMailbox): first in, first out from one sender, nothing lost or duplicated with
/// many senders at once, and what is left at an actor's end goes to the dead letters.
/// </summary>
public sealed class LeanMailboxSpec() : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString(LeanMailbox.Hocon))
{
    private sealed class Recorder(IActorRef report, int expected) : UntypedActor
    {
        private readonly List<(int Sender, int N)> _seen = [];

        protected override void OnReceive(object message)
        {
            _seen.Add(((int, int))message);
            if (_seen.Count == expected) report.Tell(_seen.ToList());
        }
    }

    [Fact]
    public void An_actor_system_with_it_as_default_gives_every_actor_its_queue()
    {
        var actor = (ActorRefWithCell)Sys.ActorOf(Props.Create(() => new Recorder(TestActor, 1)));
        actor.Tell((0, 1));
        ExpectMsg<List<(int, int)>>();
        var cell = Assert.IsType<ActorCell>(actor.Underlying);
        Assert.IsType<LeanMessageQueue>(cell.Mailbox!.MessageQueue);
    }

    [Fact]
    public void Messages_from_eight_senders_at_once_all_arrive_once_each_and_in_order_per_sender()
    {
        const int senders = 8, each = 5_000;
        var actor = Sys.ActorOf(Props.Create(() => new Recorder(TestActor, senders * each)));
        Parallel.For(0, senders, s =>
        {
            for (int n = 0; n < each; n++) actor.Tell((s, n));
        });

        var seen = ExpectMsg<List<(int Sender, int N)>>(TimeSpan.FromSeconds(60));
        Assert.Equal(senders * each, seen.Count);
        foreach (var group in seen.GroupBy(m => m.Sender))
            Assert.Equal(Enumerable.Range(0, each), group.Select(m => m.N));
    }

    [Fact]
    public void The_queue_counts_what_it_holds_and_hands_the_rest_to_the_dead_letters()
    {
        var queue = new LeanMessageQueue();
        Assert.False(queue.HasMessages);
        queue.Enqueue(TestActor, new Envelope("a", TestActor));
        queue.Enqueue(TestActor, new Envelope("b", TestActor));
        Assert.True(queue.HasMessages);
        Assert.Equal(2, queue.Count);

        Assert.True(queue.TryDequeue(out var first));
        Assert.Equal("a", first.Message);
        Assert.Equal(1, queue.Count);

        var deadLetters = new LeanMessageQueue();
        queue.CleanUp(TestActor, deadLetters);
        Assert.False(queue.HasMessages);
        Assert.False(queue.TryDequeue(out _));
        Assert.True(deadLetters.TryDequeue(out var rest));
        Assert.Equal("b", rest.Message);
    }
}
