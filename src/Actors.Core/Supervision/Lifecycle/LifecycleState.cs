using System.Collections.Immutable;
using Actors.Configuration;
using Actors.Leases;
using Actors.Processes;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>A point in time as the lifecycle sees it: monotonic for every decision, wall for what is shown.</summary>
public readonly record struct Moment(TimeSpan Monotonic, DateTimeOffset Wall);

/// <summary>A start that waits (for dependencies, the lease or the log): its reason, and whether it is an automatic restart.</summary>
public sealed record PendingStart(string Reason, bool Automatic);

/// <summary>
/// Everything <see cref="ProcessLifecycle"/> decides on for one process, as an immutable value: each decision
/// returns the next one. Times are monotonic (<see cref="Moment.Monotonic"/>) unless the name says wall.
/// </summary>
public sealed record LifecycleState
{
    public const int TrailCapacity = 20;

    public required ProcessSettings Settings { get; init; }

    /// <summary>What survives a node restart: the operator's sticky stop and the restart count.</summary>
    public required SavedIntent Intent { get; init; }

    public ProcessState State { get; init; } = ProcessState.Stopped;
    public string Reason { get; init; } = "not started yet";

    /// <summary>The last <see cref="TrailCapacity"/> transitions, oldest first.</summary>
    public ImmutableList<Transition> Trail { get; init; } = [];

    // ---- The run ----
    /// <summary>Runs launched so far; the current run's number (names its runner and probes, tags its deadlines).</summary>
    public int Runs { get; init; }
    /// <summary>A run is under way (launched and not yet ended).</summary>
    public bool RunLive { get; init; }
    public int? Pid { get; init; }
    /// <summary>Wall clock: when the current run started (shown).</summary>
    public DateTimeOffset? RunningSince { get; init; }
    /// <summary>When the current run was launched, for its uptime.</summary>
    public TimeSpan? StartedAt { get; init; }
    public ExitStatus? LastExit { get; init; }
    /// <summary>Why the previous run ended, for the next start's reason and a give-up.</summary>
    public string? LastEndReason { get; init; }

    // ---- Restart intensity ----
    /// <summary>Consecutive unplanned ends since the last reset: the backoff exponent.</summary>
    public int Attempt { get; init; }
    /// <summary>Starts counted by the start limit (<see cref="StartLimiter"/>), oldest first.</summary>
    public ImmutableList<TimeSpan> Starts { get; init; } = [];
    /// <summary>Wall clock: when the next start is due while backing off (shown).</summary>
    public DateTimeOffset? NextStartAt { get; init; }

    // ---- Operator intent ----
    /// <summary>A start to run once the current stop completes: never two instances at a time.</summary>
    public string? QueuedStart { get; init; }
    /// <summary>Why the run is being stopped (the stop's owner: an operator, a restart, a reload, a lost lease).</summary>
    public string? StopReason { get; init; }

    // ---- Runs this supervisor ends itself (deadlines, probes) and a job's retry budget ----
    /// <summary>Why this supervisor is ending the current run; null when it ends by itself or by an operator's stop.</summary>
    public string? RunFailCause { get; init; }
    /// <summary>The run is ending at timeout.run or the retry budget: it counts as exit 124.</summary>
    public bool TimedOut { get; init; }
    public int JobRuns { get; init; }
    public int JobGeneration { get; init; }
    public bool BudgetSpent { get; init; }
    public TimeSpan? BudgetEndsAt { get; init; }

    // ---- Probes of the current run ----
    public ImmutableDictionary<ProbeRole, bool> ProbePassing { get; init; } = ImmutableDictionary<ProbeRole, bool>.Empty;
    public ImmutableDictionary<ProbeRole, string> ProbeDetail { get; init; } = ImmutableDictionary<ProbeRole, string>.Empty;
    public bool StartupPassed { get; init; }
    public bool EverReady { get; init; }
    /// <summary>
    /// <c>readiness = notify</c>: this run sent READY=1; with <c>ready-log-line</c>: it wrote the line (either takes
    /// effect once the startup probe passed).
    /// </summary>
    public bool NotifiedReady { get; init; }
    /// <summary>The run is up: running, its startup probe passed and, with a readiness probe, ready once.</summary>
    public bool Up { get; init; }

    // ---- Dependencies ----
    /// <summary>The latest state the node reported for each dependency; one not here has not reported yet.</summary>
    public ImmutableDictionary<string, DependencyState> Dependencies { get; init; } = ImmutableDictionary.Create<string, DependencyState>(StringComparer.Ordinal);
    /// <summary>The start that waits for dependencies (meaningful while waiting).</summary>
    public PendingStart? DependencyStart { get; init; }
    /// <summary>What the trail last said the process waits for; smaller changes only update the reason.</summary>
    public string? WaitingHeadline { get; init; }

    // ---- Lease ----
    public bool LeaseHeld { get; init; }
    public long LeaseToken { get; init; }
    public LeaseStatus? LeaseSeen { get; init; }
    /// <summary>When <see cref="LeaseSeen"/> was seen: it ages the heartbeat age shown.</summary>
    public TimeSpan LeaseSeenAt { get; init; }
    /// <summary>The start that waits for the lease.</summary>
    public PendingStart? LeaseStart { get; init; }
    /// <summary>Until the first try for the lease is answered, a start is still under way.</summary>
    public bool FirstTryPending { get; init; }

    // ---- Placement gate (placement = singleton) ----
    /// <summary>Why a singleton may not run on this node now (the node is not an up member of the formed cluster); null: open, or not a singleton.</summary>
    public string? GateClosed { get; init; }
    /// <summary>The start that waits for the gate.</summary>
    public PendingStart? GateStart { get; init; }

    /// <summary>A singleton's gate until the node says otherwise.</summary>
    public const string GateNotYetOpened = "this node has not joined the cluster yet";

    // ---- Log ----
    /// <summary>The log must be (re)opened before the next run: first start, after a failed open, after new log settings.</summary>
    public bool LogStale { get; init; } = true;
    /// <summary>The start that waits for the log to be opened (only between <see cref="Effect.OpenLog"/> and its answer).</summary>
    public PendingStart? LogStart { get; init; }

    public string Name => Settings.Name;
    public bool IsJob => Settings.Kind == ProcessKind.Job;
    public bool HasLease => Settings.Lease is not null;
    /// <summary>Running or ready.</summary>
    public bool Live => State is ProcessState.Running or ProcessState.Ready;
    /// <summary>Starting, running or ready: a run that a stop would have to end.</summary>
    public bool Active => State is ProcessState.Starting or ProcessState.Running or ProcessState.Ready;

    /// <summary>A start has not settled yet: askers of a start wait for it (running, or the launch failed).</summary>
    public bool StartUnderWay => State == ProcessState.Starting || QueuedStart is not null || (State == ProcessState.Waiting && FirstTryPending);

    /// <summary>The state of a process just created, before its first decision.</summary>
    public static LifecycleState Initial(ProcessSettings settings, SavedIntent intent, IEnumerable<DependencyState> dependencies) => new()
    {
        Settings = settings,
        Intent = intent,
        GateClosed = settings.Placement is SingletonPlacement ? GateNotYetOpened : null,
        // A later report about the same dependency replaces an earlier one.
        Dependencies = dependencies.Aggregate(ImmutableDictionary.Create<string, DependencyState>(StringComparer.Ordinal), (known, d) => known.SetItem(d.Name, d)),
    };
}
