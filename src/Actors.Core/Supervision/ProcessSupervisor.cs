using Akka.Actor;
using Akka.Configuration;
using Akka.Coordination;
using Actors.Configuration;
using Actors.Leases;
using Actors.Logging;
using Actors.Probes;
using Actors.Processes;
using Actors.Scheduling;

namespace Actors.Supervision;

/// <summary>
/// Protocol of the per-process supervisor: the policy for one declared process (restart, backoff, start
/// limit, operator intent). It owns one <see cref="ProcessRunner"/> child per run; a failed run reaches it
/// through its one-for-one supervisor strategy.
/// </summary>
public static class ProcessSupervisor
{
    /// <summary>A command one process's supervisor answers; what <see cref="NodeSupervisor.ToProcesses"/> fans out.</summary>
    public interface IProcessCommand;

    /// <summary>An answer of one process's supervisor to an <see cref="IProcessCommand"/> (or a refusal on its behalf).</summary>
    public interface IProcessReply;

    /// <param name="saved">What a previous node run saved for this process, if anything.</param>
    /// <param name="dependencies">
    /// Where its dependencies stand now, so its first start does not wait for a change that already happened; a
    /// dependency left out counts as not started yet.
    /// </param>
    public static Props Props(ProcessSettings settings, SupervisorOptions options, SavedIntent? saved = null, IEnumerable<DependencyState>? dependencies = null)
    {
        var known = (dependencies ?? []).ToList();
        return FactoryProps.Of(() => new ProcessSupervisorActor(settings, options, saved ?? SavedIntent.Default, known));
    }

    /// <summary>
    /// Start the process if it is not running. Clears a give-up: the start limit counts afresh, and an operator's
    /// sticky stop is lifted. Answered with <see cref="ProcessStatus"/> once the start has settled: running (pid
    /// known), or backing-off / failed when the launch failed. A process already running answers at once.
    /// </summary>
    public sealed record StartProcess(string Reason = "started by request") : IProcessCommand;

    /// <summary>
    /// Stop the process and keep it stopped until the next <see cref="StartProcess"/>. Answered with
    /// <see cref="ProcessStopped"/> once its group is gone. <paramref name="Persist"/>: the operator's intent,
    /// saved so that a restarted node keeps the process stopped too (a node shutdown stops without it).
    /// </summary>
    public sealed record StopProcess(string Reason = "stopped by request", bool Persist = false) : IProcessCommand;

    public sealed record ProcessStopped(string Name) : IProcessReply;

    /// <summary>
    /// Stop the current run (if any) and start a new one; never two instances, also when sent during stopping.
    /// Lifts a sticky stop and resets the start limit like <see cref="StartProcess"/>. Answered like StartProcess.
    /// </summary>
    public sealed record RestartProcess(string Reason = "restarted by request") : IProcessCommand;

    /// <summary>
    /// Send a signal to the running main process (or its whole group). Answered with <see cref="SignalSent"/>,
    /// or <see cref="CommandRefused"/> when nothing runs.
    /// </summary>
    public sealed record SignalProcess(int Signal, string SignalName, bool WholeGroup = false) : IProcessCommand;

    public sealed record SignalSent(string Name, int Pid, string SignalName) : IProcessReply;

    /// <summary>A command that cannot apply in the current state; the reason says why, for the operator.</summary>
    public sealed record CommandRefused(string Name, string Reason) : IProcessReply;

    /// <summary>
    /// Reload: the process's declaration changed. The current run (if any) stops and a run with the new settings
    /// starts; a process kept stopped by the operator takes the new settings and stays stopped. Answered with
    /// <see cref="ProcessStatus"/> once settled, like <see cref="StartProcess"/>.
    /// </summary>
    public sealed record ApplySettings(ProcessSettings Settings) : IProcessCommand;

    /// <summary>
    /// Answered with <see cref="LogTailSnapshot"/>: the newest <paramref name="Lines"/> lines of the in-memory tail of
    /// the process's output, or, when <see cref="After"/> names this process, the lines after the sequence number it
    /// gives (a follower passes the last one it saw). A copy: the live tail never leaves the actor.
    /// </summary>
    public sealed record GetLogTail(int Lines = int.MaxValue) : IProcessCommand
    {
        /// <summary>Per process name, the last sequence number a follower saw.</summary>
        public IReadOnlyDictionary<string, long>? After { get; init; }
    }

    /// <summary>
    /// Lines of a process's output, oldest first, and the newest sequence number of its tail when they were taken. If
    /// the first line is not the one after the sequence asked for, lines left the tail meanwhile.
    /// </summary>
    public sealed record LogTailSnapshot(string Name, IReadOnlyList<LogLine> Lines, long LastSequence) : IProcessReply;

    /// <summary>
    /// Sent to the parent whenever what must survive a node restart changes: the operator's sticky stop and the
    /// restart count.
    /// </summary>
    public sealed record IntentChanged(string Name, SavedIntent Intent);

    public sealed record GetStatus;

    /// <summary>
    /// Sent to the parent on every state change. The node uses it to start dependents when their dependencies
    /// reach the state they wait for; a one-shot runner (<c>actors exec</c>) to know when the job is over.
    /// </summary>
    public sealed record ProcessStateChanged(string Name, ProcessState State, string Reason, ExitStatus? LastExit);

    /// <summary>
    /// From the node: where one of this process's dependencies stands now (sent on each of its changes, and once
    /// for each dependency when the process is created).
    /// </summary>
    public sealed record DependencyState(string Name, ProcessState State, string Reason)
    {
        /// <summary>The dependency has no readiness probe: running satisfies <c>depends-on = ready</c>.</summary>
        public bool RunningIsReady { get; init; }
    }

    /// <summary>
    /// From the node, for a <c>placement = singleton</c> process: whether this node may run it now (it is an up member
    /// of the formed cluster), and why (see <c>ProcessLifecycle.Gate.cs</c>). Processes of other placements ignore it.
    /// </summary>
    public sealed record PlacementGate(bool Open, string Reason);

    /// <summary>A snapshot of one supervised process; <paramref name="Lease"/> is set for a process with a lease.</summary>
    public sealed record ProcessStatus(
        string Name,
        string? Description,
        ProcessState State,
        int? Pid,
        DateTimeOffset? RunningSince,
        int Restarts,
        ExitStatus? LastExit,
        DateTimeOffset? NextStartAt,
        string Reason,
        IReadOnlyList<Transition> Trail,
        LeaseStatus? Lease = null) : IProcessReply
    {
        /// <summary>Service or job.</summary>
        public ProcessKind Kind { get; init; } = ProcessKind.Service;

        /// <summary>The declared probes and how the current run's checks went (empty without probes).</summary>
        public IReadOnlyList<ProbeStatus> Probes { get; init; } = [];

        /// <summary>Why the log file is not being written as it should (e.g. it could not be reopened after a rotation); null when all is well.</summary>
        public string? LogError { get; init; }

        /// <summary>Bytes of output logged since this supervisor started (across runs and log reopenings).</summary>
        public long LogBytes { get; init; }

        /// <summary>user, group, umask, limits, nice, oom-score-adjust as declared (<see cref="ExecSettings.None"/>: as the node).</summary>
        public ExecSettings Exec { get; init; } = ExecSettings.None;

        /// <summary>Which copy of its declared process this is (<c>replicas</c>); null for a process built in code without one.</summary>
        public ReplicaSettings? Replica { get; init; }
    }

    /// <summary>
    /// One declared probe in a status: <paramref name="Passing"/> is null until its thresholds decided (or while
    /// nothing runs), <paramref name="LastCheck"/> the last check's detail in this run.
    /// </summary>
    public sealed record ProbeStatus(ProbeRole Role, string Type, bool? Passing, string? LastCheck);
}

/// <summary>
/// What survives a node restart for one process: whether the operator stopped it (and why, when), and its
/// restart count. Saved by the node in its state-dir.
/// </summary>
public sealed record SavedIntent(bool KeptStopped, string? StopReason, DateTimeOffset? StoppedAt, int Restarts)
{
    public static readonly SavedIntent Default = new(false, null, null, 0);
}

/// <summary>What the supervisors need from their surroundings; tests swap the launcher, the log and the randomness.</summary>
public sealed record SupervisorOptions(IProcessLauncher Launcher)
{
    /// <summary>Opens the log of a process; null means its output is discarded.</summary>
    public Func<ProcessSettings, LogTail, ProcessLogWriter?> OpenLog { get; init; } = (s, tail) => new ProcessLogWriter(s.Log, tail);

    /// <summary>Makes one check of a probe; tests swap in scripted checks.</summary>
    public Func<ProbeSettings, ProbeContext, IProbeCheck> ProbeChecks { get; init; } = Probes.ProbeChecks.Create;

    /// <summary>
    /// The clocks policy measures with (monotonic for durations, wall for display); null: those of the ActorSystem's
    /// scheduler (<see cref="PolicyClock.Of"/>), virtual under TestKit's TestScheduler. Tests set it to step the wall clock.
    /// </summary>
    public PolicyClock? Clock { get; init; }

    /// <summary>Source of backoff jitter.</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>
    /// Source of backoff jitter per process name; null: <see cref="Random"/> for all. A simulation gives each process
    /// its own seeded source, so one process's jitter does not depend on how often another one drew.
    /// </summary>
    public Func<string, Random>? RandomFor { get; init; }

    /// <summary>
    /// Where the notify sockets of <c>readiness = notify</c> processes are made (a folder only this user may enter);
    /// the node and embedded hosts use <c>&lt;state-dir&gt;/notify</c>.
    /// </summary>
    public string NotifyFolder { get; init; } = Path.Combine(Path.GetTempPath(), $"actors-notify-{Environment.ProcessId}");

    /// <summary>Lines kept in memory per process for the control plane.</summary>
    public int TailLines { get; init; } = 1000;

    /// <summary>
    /// Where the node keeps operator intent and restart counters (<c>state.json</c> in the state-dir); null
    /// keeps nothing (tests, simulations).
    /// </summary>
    public string? StateFile { get; init; }

    /// <summary>
    /// Who this node is to the leases it takes: its holder id in lease files. Unique per running node
    /// (host and pid), so two nodes on one machine never mistake each other's holding for their own.
    /// </summary>
    public string NodeId { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>
    /// The dead-man switch of leased processes (the node's watchdog): told of every lease holding that landed, it
    /// kills the groups under a lease the node stops renewing. Null: none (the lease's own checks only).
    /// </summary>
    public IDeadManSwitch? DeadMan { get; init; }

    /// <summary>Makes the lease of a process that declares one, for owner <see cref="NodeId"/>; tests swap in a simulated lease.</summary>
    public Func<ProcessSettings, ActorSystem, string, Lease> LeaseFactory { get; init; } = LeaseFor;

    /// <summary>The lease a process's <c>lease { }</c> declares: the one <c>lease.class</c> names, else the <see cref="FileLease"/>.</summary>
    public static Lease LeaseFor(ProcessSettings settings, ActorSystem system, string owner)
    {
        if (settings.Lease is not { Class: not null } lease) return FileLeaseFor(settings, system, owner);
        var clock = PolicyClock.Of(system.Scheduler);
        return ClassLeases.Create(lease, LeaseOperationTimeout(lease), Validity(lease, settings), system, owner, new LeaseClock(() => clock.Wall, () => clock.Monotonic));
    }

    /// <summary>The <see cref="FileLease"/> a process's <c>lease { }</c> declares, on the system's scheduler and the real clocks.</summary>
    public static Lease FileLeaseFor(ProcessSettings settings, ActorSystem system, string owner)
    {
        var lease = settings.Lease ?? throw new ArgumentException($"{settings.Name} declares no lease");
        var timeouts = new TimeoutSettings(lease.HeartbeatInterval, lease.Ttl, LeaseOperationTimeout(lease));
        return new FileLease(new LeaseSettings(lease.Name, owner, timeouts, ConfigurationFactory.Empty), lease.Folder,
            system.Scheduler, LeaseClock.System, Akka.Event.Logging.GetLogger(system, typeof(FileLease)))
        {
            // With the dead-man switch the node gives up the holding when the watchdog starts stopping the process.
            Validity = Validity(lease, settings),
        };
    }

    private static TimeSpan Validity(ProcessLeaseSettings lease, ProcessSettings settings) =>
        lease.DeadMan ? lease.DeadManTimings(settings.Stop.Timeout).StopAfter : lease.Ttl;

    /// <summary>The longest a lease operation may take: well inside the TTL, so a stuck store loses the lease in time.</summary>
    private static TimeSpan LeaseOperationTimeout(ProcessLeaseSettings lease) => ClassLeases.OperationTimeout(lease);
}
