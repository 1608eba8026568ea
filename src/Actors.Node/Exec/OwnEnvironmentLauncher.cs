using System.Collections;
using Akka.Actor;
using Actors.Processes;

namespace Actors.Node.Exec;

/// <summary>
/// Gives the command exactly exec's own environment, as <c>timeout</c> or <c>nice</c> would. A node marks its
/// children with <c>ACTORS_NODE</c> (this process) and <c>ACTORS_PROCESS</c>; for exec those would be wrong: under
/// a node, the marker must stay the node's. And exec's watchdog kills, after exec ends, every session leader
/// carrying exec's marker: a daemon the command started on purpose (with setsid) must not be one of them.
/// </summary>
internal sealed class OwnEnvironmentLauncher(IProcessLauncher inner) : IProcessLauncher
{
    private static readonly Lazy<string[]> Environment = new(() =>
        System.Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().Select(e => $"{e.Key}={e.Value}").ToArray());

    public void Launch(LaunchRequest request, IActorRef replyTo) =>
        inner.Launch(request with { Spec = request.Spec with { Environment = Environment.Value } }, replyTo);
}
