using Actors.Configuration;
using Actors.Leases;
using Actors.Processes;
using Actors.Timeouts;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>
/// What happens to a supervised process, as <see cref="ProcessLifecycle"/> takes it in. The actor turns its messages
/// into these; a simulation or a test can make them up. Messages from a runner, probe or lease keeper that is no
/// longer current never become events.
/// </summary>
public abstract record LifecycleEvent
{
    private LifecycleEvent() { }

    /// <summary>The supervisor has started: the first start, or the operator's stop kept across a node restart.</summary>
    public sealed record Began : LifecycleEvent;

    // ---- Operator intent ----
    public sealed record StartRequested(string Reason) : LifecycleEvent;
    public sealed record StopRequested(string Reason, bool Persist) : LifecycleEvent;
    public sealed record RestartRequested(string Reason) : LifecycleEvent;
    /// <summary>A reload changed the declaration.</summary>
    public sealed record SettingsChanged(ProcessSettings Settings) : LifecycleEvent;

    // ---- The run ----
    /// <summary>The backoff delay has passed.</summary>
    public sealed record BackoffElapsed : LifecycleEvent;
    /// <summary>The answer to <see cref="Effect.OpenLog"/>: the log is open, or why it could not be opened.</summary>
    public sealed record LogOpened(string? Failure) : LifecycleEvent;
    public sealed record RunStarted(int Pid) : LifecycleEvent;
    /// <summary>
    /// The run is over: <paramref name="Failed"/> when the runner failed (a failure exit, or no launch: then
    /// <paramref name="Exit"/> is null), else it finished (a success exit, or a stop asked for).
    /// </summary>
    public sealed record RunEnded(ExitStatus? Exit, string Reason, bool Failed, string? Note) : LifecycleEvent;

    // ---- Deadlines, probes ----
    public sealed record DeadlinePassed(Deadline Deadline, TimeSpan After, int Tag) : LifecycleEvent;
    public sealed record ProbeChecked(ProbeRole Role, string Detail) : LifecycleEvent;
    public sealed record ProbePassed(ProbeRole Role, string Detail) : LifecycleEvent;
    public sealed record ProbeFailed(ProbeRole Role, string Reason) : LifecycleEvent;
    /// <summary>
    /// <c>readiness = notify</c>: the current run sent this datagram (sd_notify's <c>KEY=VALUE</c> lines) to its
    /// NOTIFY_SOCKET.
    /// </summary>
    public sealed record Notified(string Message) : LifecycleEvent;
    /// <summary><c>ready-log-line</c>: the current run wrote <paramref name="Line"/>, the first of its lines that matches.</summary>
    public sealed record LogLineMatched(string Line) : LifecycleEvent;

    // ---- Dependencies ----
    public sealed record DependencyChanged(DependencyState Dependency) : LifecycleEvent;
    /// <summary>After a crash of the supervisor the states it was created with are old news.</summary>
    public sealed record DependenciesForgotten : LifecycleEvent;

    // ---- Lease ----
    public sealed record LeaseAcquired(string Name, long Token) : LifecycleEvent;
    public sealed record LeaseLost(string Reason) : LifecycleEvent;
    public sealed record LeaseObserved(LeaseStatus Status) : LifecycleEvent;

    // ---- Placement ----
    /// <summary>
    /// <c>placement = singleton</c>: the node opened the gate (it is an up member of the formed cluster) or closed it
    /// (<paramref name="Reason"/> says why); ignored by processes of other placements.
    /// </summary>
    public sealed record PlacementGateChanged(bool Open, string Reason) : LifecycleEvent;
}
