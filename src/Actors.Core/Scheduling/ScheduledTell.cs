using Akka.Actor;
using Akka.Actor.Scheduler;
using Akka.Dispatch;

namespace Actors.Scheduling;

/// <summary>
/// A scheduled <c>Tell</c>, as Akka's own scheduler builds it: to an actor with a cell, the message travels in an
/// <see cref="IScheduledTellMsg"/> envelope (the cell unwraps it before the actor sees it; telemetry and routers
/// use it to tell scheduled messages apart), one that keeps <see cref="INotInfluenceReceiveTimeout"/>.
/// </summary>
internal sealed class ScheduledTell : IRunnable
{
    private readonly ICanTell _receiver;
    private readonly object _message;
    private readonly IActorRef _sender;

    public ScheduledTell(ICanTell receiver, object message, IActorRef sender)
    {
        _receiver = receiver;
        _message = receiver is not ActorRefWithCell ? message
            : message is INotInfluenceReceiveTimeout ? new ScheduledMessageNotInfluencingReceiveTimeout(message)
            : new ScheduledMessage(message);
        _sender = sender;
    }

    public void Run() => _receiver.Tell(_message, _sender);

    public void Execute() => Run();

    public override string ToString() => $"[{_receiver}.Tell({_message}, {_sender})]";

    private sealed record ScheduledMessage(object Message) : IScheduledTellMsg;

    private sealed record ScheduledMessageNotInfluencingReceiveTimeout(object Message) : IScheduledTellMsg, INotInfluenceReceiveTimeout;
}
