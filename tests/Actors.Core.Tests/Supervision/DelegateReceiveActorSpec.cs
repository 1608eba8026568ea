using Akka.Actor;
using Akka.Event;
using Actors.Supervision;
using Xunit;

namespace Actors.Core.Tests.Supervision;

/// <summary>
/// The handler table every node actor uses instead of Akka's ReceiveActor keeps ReceiveActor's rules: handlers are
/// tried in the order registered, a handler takes its type's subtypes, ReceiveAny takes the rest, and a message no
/// handler takes is unhandled (published on the event stream, as Akka does for any actor).
/// </summary>
public sealed class DelegateReceiveActorSpec : Akka.TestKit.Xunit2.TestKit
{
    private abstract record Shape;

    private sealed record Circle : Shape;

    private sealed record Square : Shape;

    private sealed class Matcher : DelegateReceiveActor
    {
        public Matcher(bool withFallback)
        {
            Receive<Circle>(_ => Sender.Tell("circle"));
            Receive<Shape>(s => Sender.Tell($"shape {s.GetType().Name}"));
            // Registered after Shape: a Circle never gets here.
            Receive<Circle>(_ => Sender.Tell("second circle handler"));
            Receive<int>(n => Sender.Tell(n + 1));
            if (withFallback) ReceiveAny(m => Sender.Tell($"any {m}"));
        }
    }

    [Fact]
    public void The_first_handler_registered_for_a_type_or_a_base_type_takes_the_message()
    {
        var actor = Sys.ActorOf(FactoryProps.Of(() => new Matcher(withFallback: false)));
        actor.Tell(new Circle());
        ExpectMsg("circle");
        actor.Tell(new Square());
        ExpectMsg("shape Square");
        actor.Tell(41);
        ExpectMsg(42);
    }

    [Fact]
    public void A_message_no_handler_takes_is_unhandled_and_a_fallback_takes_the_rest()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(UnhandledMessage));
        var strict = Sys.ActorOf(FactoryProps.Of(() => new Matcher(withFallback: false)));
        strict.Tell("words");
        Assert.Equal("words", ExpectMsg<UnhandledMessage>().Message);

        var lenient = Sys.ActorOf(FactoryProps.Of(() => new Matcher(withFallback: true)));
        lenient.Tell("words");
        ExpectMsg("any words");
        lenient.Tell(new Circle());
        ExpectMsg("circle");
    }
}
