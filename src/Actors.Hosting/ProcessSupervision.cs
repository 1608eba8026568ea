using Actors.Supervision;

namespace Actors.Hosting;

/// <summary>
/// The key of the root supervisor in Akka.Hosting's <c>ActorRegistry</c>: actor users get it as
/// <c>IRequiredActor&lt;ProcessSupervision&gt;</c> (or <c>registry.Get&lt;ProcessSupervision&gt;()</c>) and talk
/// to it with the <see cref="NodeSupervisor"/> protocol. Most applications use <see cref="IProcessSupervisor"/>.
/// </summary>
public sealed class ProcessSupervision
{
    /// <summary>The root supervisor's name under <c>/user</c>.</summary>
    public const string ActorName = NodeSupervisor.Name;

    private ProcessSupervision()
    {
    }
}
