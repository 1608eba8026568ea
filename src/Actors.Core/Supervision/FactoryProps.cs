using Akka.Actor;

namespace Actors.Supervision;

/// <summary>
/// Props that make their actor by calling a plain delegate. Akka's <c>Props.Create(() =&gt; new T(args))</c> takes an
/// expression tree: every call builds the tree, reads each argument out of it by reflection (and compiles a lambda for
/// any argument that is not a plain variable, such as <c>saved ?? SavedIntent.Default</c>), and every incarnation of the
/// actor is then made by <c>Activator.CreateInstance</c> choosing a constructor for those arguments. The node makes a
/// process supervisor, a timeout guard and a runner for every process and a runner for every restart, so that cost
/// was paid on the restart path and 500 times at start-up (compiled lambdas and their JIT'd code stay in memory).
/// The delegate runs for every incarnation (an actor restart makes a new instance, as before): what it captures must be
/// the Props method's own arguments, which nothing reassigns, so every incarnation gets the same ones.
/// </summary>
public static class FactoryProps
{
    public static Props Of<TActor>(Func<TActor> factory) where TActor : ActorBase => Props.CreateBy(new Producer<TActor>(factory));

    private sealed class Producer<TActor>(Func<TActor> factory) : IIndirectActorProducer where TActor : ActorBase
    {
        public Type ActorType => typeof(TActor);

        public ActorBase Produce() => factory();

        public void Release(ActorBase actor)
        {
        }
    }
}
