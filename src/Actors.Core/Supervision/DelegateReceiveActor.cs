using Akka.Actor;

namespace Actors.Supervision;

/// <summary>
/// An actor whose handlers are registered in its constructor, as with Akka's <see cref="ReceiveActor"/>
/// (<c>Receive&lt;T&gt;(handler)</c>, tried in the order registered, the first whose message type matches handles the
/// message, none: <see cref="ActorBase.Unhandled"/>), but matched by a plain type test instead of a compiled expression.
/// Why not ReceiveActor: it compiles each actor type's handlers into a lambda through System.Linq.Expressions, which is
/// the only thing that loaded that assembly into the node (1.75 MiB of PSS, mapped for as long as the node runs) and
/// put an expression compilation and its JIT on the start-up path of every actor type (bench/README.md, issue 14).
/// </summary>
internal abstract class DelegateReceiveActor : ActorBase
{
    private readonly List<Handler> _handlers = [];

    /// <summary>Handles messages of type <typeparamref name="T"/> (and of its subtypes) not taken by a handler registered before.</summary>
    protected void Receive<T>(Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.Add(new Handler(handler, Matcher<T>.TryHandle));
    }

    /// <summary>Handles every message not taken by a handler registered before.</summary>
    protected void ReceiveAny(Action<object> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.Add(new Handler(handler, Matcher<object>.TryHandle));
    }

    protected sealed override bool Receive(object message)
    {
        foreach (var handler in _handlers)
        {
            if (handler.TryHandle(handler.Action, message))
                return true;
        }
        return false;
    }

    // The handler as registered and the type test for it: one shared test per message type, so a registration costs
    // one list entry beside the caller's own delegate (500 process supervisors register 25 handlers each).
    private readonly record struct Handler(Delegate Action, Func<Delegate, object, bool> TryHandle);

    private static class Matcher<T>
    {
        public static readonly Func<Delegate, object, bool> TryHandle = (action, message) =>
        {
            if (message is not T typed)
                return false;
            ((Action<T>)action)(typed);
            return true;
        };
    }
}
