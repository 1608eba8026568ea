using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Actors.Supervision;

/// <summary>
/// The node's default mailbox: Akka's unbounded mailbox with a queue that costs next to nothing while it is empty.
/// Akka's own queue is a ConcurrentQueue, and every actor keeps its first segment of 32 slots for good: 1,064 bytes
/// with the queue. A node runs three actors per process, so with 500 processes that was 1.6 MB of its 8.8 MB live heap
/// (dotnet-gcdump, bench/README.md, issue 14). This queue is a <see cref="Queue{T}"/> under a lock: empty, it is one
/// small object around a shared empty array; one that received messages keeps an array as long as its largest
/// backlog. The node's actors receive a few messages a second, so the lock is rarely contended. Set by the actors
/// program only (<c>akka.actor.default-mailbox.mailbox-type</c>); an application that embeds the supervision keeps
/// whatever mailbox it chose.
/// </summary>
public sealed class LeanMailbox(Settings settings, Config config)
    : MailboxType(settings, config), IProducesMessageQueue<LeanMessageQueue>
{
    /// <summary>The HOCON that makes it an ActorSystem's default mailbox.</summary>
    public static readonly string Hocon =
        $"akka.actor.default-mailbox.mailbox-type = \"{typeof(LeanMailbox).FullName}, {typeof(LeanMailbox).Assembly.GetName().Name}\"";

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new LeanMessageQueue();
}

/// <summary>
/// First in, first out; any thread may enqueue while the actor's thread dequeues. <see cref="HasMessages"/> and
/// <see cref="Count"/> read a count kept beside the queue, without the lock: the dispatcher asks them from any thread.
/// </summary>
public sealed class LeanMessageQueue : IMessageQueue, IUnboundedMessageQueueSemantics
{
    private readonly Queue<Envelope> _queue = new();
    private int _count;

    public bool HasMessages => Volatile.Read(ref _count) > 0;

    public int Count => Volatile.Read(ref _count);

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        lock (_queue)
        {
            _queue.Enqueue(envelope);
            Volatile.Write(ref _count, _queue.Count);
        }
    }

    public bool TryDequeue(out Envelope envelope)
    {
        lock (_queue)
        {
            if (!_queue.TryDequeue(out envelope)) return false;
            Volatile.Write(ref _count, _queue.Count);
            return true;
        }
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope))
            deadletters.Enqueue(owner, envelope);
    }
}
