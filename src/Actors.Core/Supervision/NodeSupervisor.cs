using Akka.Actor;
using Actors.Configuration;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>
/// Protocol of the root supervisor (<c>/user/supervisor</c>): one <see cref="ProcessSupervisor"/> per
/// declared process, one-for-one, and the node-wide orderly stop.
/// </summary>
public static class NodeSupervisor
{
    public const string Name = "supervisor";

    public static Props Props(ActorsSettings settings, SupervisorOptions options) =>
        FactoryProps.Of(() => new NodeSupervisorActor(settings, options));

    /// <summary>
    /// Stop every process in dependency waves (dependents first, everything without an order between them at once,
    /// each with its own stop timeout), all within the node's <c>shutdown-timeout</c>; what still runs then is killed
    /// and named in the log. Answered with <see cref="AllStopped"/>, at the latest shortly after shutdown-timeout.
    /// </summary>
    public sealed record StopAll;

    public sealed record AllStopped;

    /// <summary>
    /// Answered with <see cref="NodeStatus"/> for the named processes (all when <paramref name="Names"/> is null
    /// or empty), or <see cref="UnknownProcesses"/> when a name is not declared. The answer is assembled from
    /// each process's own supervisor.
    /// </summary>
    public sealed record GetNodeStatus(IReadOnlyList<string>? Names = null);

    public sealed record NodeStatus(IReadOnlyList<ProcessStatus> Processes);

    /// <summary>
    /// Send <paramref name="Command"/> (StartProcess, StopProcess, RestartProcess, SignalProcess, GetLogTail) to
    /// the named processes (all when <paramref name="Names"/> is null), at the same time; a StopProcess to several
    /// goes in waves, so that a dependent has stopped before its dependency is told to stop. Answered with
    /// <see cref="ProcessReplies"/> in declaration order once every one answered, or <see cref="UnknownProcesses"/>
    /// (then nothing was sent to anyone).
    /// </summary>
    public sealed record ToProcesses(IReadOnlyList<string>? Names, IProcessCommand Command);

    public sealed record ProcessReplies(IReadOnlyList<IProcessReply> Replies);

    /// <summary>Some names are not declared processes; nothing was done.</summary>
    public sealed record UnknownProcesses(IReadOnlyList<string> Unknown, IReadOnlyList<string> Known);

    /// <summary>
    /// Apply a new, already validated configuration: added processes start, removed ones stop (and their
    /// supervisors go), changed ones restart with the new settings, unchanged ones are not touched. Reloads are
    /// applied one at a time. Answered with <see cref="Reloaded"/> once everything settled.
    /// </summary>
    public sealed record Reload(ActorsSettings Settings);

    public sealed record Reloaded(
        IReadOnlyList<string> Added,
        IReadOnlyList<string> Removed,
        IReadOnlyList<string> Changed,
        IReadOnlyList<string> Unchanged);

    /// <summary>
    /// Run <paramref name="Count"/> copies of the declared process <paramref name="Name"/> (<c>actors scale</c>):
    /// the missing replicas start, the highest-numbered ones beyond the count stop, one after another, highest first;
    /// the others are not touched. Applied in turn with reloads. Answered with <see cref="Scaled"/> once the new ones
    /// settled and the old ones are gone, <see cref="ScaleRefused"/> (with why), or <see cref="UnknownProcesses"/>.
    /// </summary>
    public sealed record Scale(string Name, int Count);

    public sealed record Scaled(string Name, int From, int To, IReadOnlyList<string> Started, IReadOnlyList<string> Stopped);

    public sealed record ScaleRefused(string Name, string Reason);

    /// <summary>
    /// Published by the root on the ActorSystem's EventStream for every state change of every process, stamped
    /// with the wall clock the policy uses: subscribe to follow transitions without polling.
    /// </summary>
    public sealed record ProcessTransitioned(string Name, ProcessState State, string Reason, DateTimeOffset At)
    {
        /// <summary>How its last run ended (null before the first end): what a node exits with for a process that ended.</summary>
        public Processes.ExitStatus? LastExit { get; init; }
    }

    /// <summary>
    /// Published by the root on the ActorSystem's EventStream when it takes a declaration: at its start, and at each
    /// reload (before the changes are applied). Followers of <see cref="ProcessTransitioned"/> learn from it which
    /// processes there are and how each is declared.
    /// </summary>
    public sealed record ProcessesDeclared(IReadOnlyList<ProcessSettings> Processes);
}
