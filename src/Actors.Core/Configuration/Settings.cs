namespace Actors.Configuration;

/// <summary>What a service does when its main process exits (systemd's Restart=).</summary>
public enum RestartPolicy
{
    /// <summary>Restart after every exit, success or failure.</summary>
    Always,
    /// <summary>Restart only when the exit counts as a failure (code not in success-exit-codes, or killed by a signal).</summary>
    OnFailure,
    /// <summary>Never restart: a success leaves it stopped, a failure leaves it failed.</summary>
    Never,
}

/// <summary>Exponential backoff between restarts: <c>min * 2^n</c>, capped at <c>max</c>, ± <c>random-factor</c>.</summary>
public sealed record BackoffSettings(TimeSpan Min, TimeSpan Max, double RandomFactor, TimeSpan ResetAfter);

/// <summary>More than <c>Burst</c> starts within <c>Interval</c> gives up (systemd's StartLimitBurst/IntervalSec).</summary>
public sealed record StartLimitSettings(int Burst, TimeSpan Interval);

/// <summary>How a process is stopped: <c>Signal</c> to its whole group, then SIGKILL after <c>Timeout</c>.</summary>
public sealed record StopSettings(int Signal, string SignalName, TimeSpan Timeout);

/// <summary>Where a process's merged stdout+stderr goes and how it is rotated.</summary>
public sealed record LogSettings(string File, long MaxSize, int Keep, bool Timestamps)
{
    /// <summary><c>log.truncate-on-start</c>: the file and the in-memory tail start empty at each start.</summary>
    public bool TruncateOnStart { get; init; }

    /// <summary>
    /// <c>log.stderr = separate</c>: stderr goes to this file (<c>NAME.err.log</c> beside <see cref="File"/>), rotated
    /// the same way; null: merged with stdout into <see cref="File"/> (the default).
    /// </summary>
    public string? ErrorFile { get; init; }
}

/// <summary>
/// A process that runs only while this node holds the named lease (<c>lease { }</c>): one file per name in
/// <c>Folder</c>, shared by the nodes that may run it, or the <see cref="Akka.Coordination.Lease"/> named by <c>Class</c>. The holder writes a heartbeat every
/// <c>HeartbeatInterval</c>; a holder silent for <c>Ttl</c> loses it to the next node.
/// </summary>
public sealed record ProcessLeaseSettings(string Name, string Folder, TimeSpan HeartbeatInterval, TimeSpan Ttl)
{
    /// <summary>
    /// <c>lease.dead-man</c>: the watchdog kills the process's group when this node stops renewing the lease, before
    /// another node can take it (see <see cref="DeadManTimings"/>).
    /// </summary>
    public bool DeadMan { get; init; } = true;

    /// <summary>
    /// <c>lease.class</c>: the assembly-qualified name of the <see cref="Akka.Coordination.Lease"/> to use instead of the
    /// file lease (then <see cref="Folder"/> is unused); null: the file lease.
    /// </summary>
    public string? Class { get; init; }

    /// <summary><c>lease.assembly</c>: the .dll holding <see cref="Class"/> (absolute); null: the node's own assemblies and the folder beside its binary.</summary>
    public string? Assembly { get; init; }

    /// <summary>
    /// <c>lease.settings</c> as HOCON text (<see cref="LeaseClass.RenderSettings"/>): the implementation's own keys, given to
    /// it in its lease config block. Empty when there are none. Text, so that two declarations compare by content.
    /// </summary>
    public string Settings { get; init; } = "";

    /// <summary>The dead-man switch's times for a process that stops within <paramref name="stopTimeout"/>.</summary>
    public DeadManTimings DeadManTimings(TimeSpan stopTimeout) => Configuration.DeadManTimings.For(Ttl, HeartbeatInterval, stopTimeout);
}

/// <summary>
/// When the dead-man switch acts, counted from the moment the node stamped its last lease heartbeat that landed
/// (another node may take the lease <c>ttl</c> after that stamp, by its wall clock):
/// <list type="bullet">
/// <item><see cref="KillAfter"/> = ttl − margin, margin = max(heartbeat-interval, ttl / 4): by then the group is
/// SIGKILLed. The margin absorbs the clocks of the nodes disagreeing a little, the watchdog being scheduled late on
/// a loaded machine, and the kernel tearing the processes down.</item>
/// <item><see cref="Grace"/> = min(stop.timeout, KillAfter / 4): the stop signal goes that long before.</item>
/// <item><see cref="StopAfter"/> = KillAfter − Grace: the stop signal goes then; the node itself counts the lease lost
/// when its heartbeats have been silent that long, so it never runs the process on a holding the watchdog ends.</item>
/// </list>
/// With the defaults (ttl 10s, heartbeat-interval 1s, stop.timeout 10s): stop signal at 5.625s, SIGKILL at 7.5s.
/// </summary>
public sealed record DeadManTimings(TimeSpan StopAfter, TimeSpan Grace, TimeSpan KillAfter)
{
    public static DeadManTimings For(TimeSpan ttl, TimeSpan heartbeatInterval, TimeSpan stopTimeout)
    {
        var margin = TimeSpan.FromTicks(Math.Max(heartbeatInterval.Ticks, ttl.Ticks / 4));
        var killAfter = ttl - margin;
        var grace = TimeSpan.FromTicks(Math.Max(0, Math.Min(stopTimeout.Ticks, killAfter.Ticks / 4)));
        return new DeadManTimings(killAfter - grace, grace, killAfter);
    }
}

/// <summary>One declared process, fully resolved: defaults applied, paths absolute.</summary>
public sealed record ProcessSettings(
    string Name,
    string? Description,
    string Command,
    IReadOnlyList<string> Args,
    bool Shell,
    string WorkingDir,
    IReadOnlyDictionary<string, string> Env,
    RestartPolicy Restart,
    IReadOnlySet<int> SuccessExitCodes,
    BackoffSettings Backoff,
    StartLimitSettings StartLimit,
    StopSettings Stop,
    LogSettings Log,
    ProcessLeaseSettings? Lease = null)
{
    /// <summary>Exit code 0 always counts as success; success-exit-codes adds to it.</summary>
    public bool IsSuccess(int exitCode) => exitCode == 0 || SuccessExitCodes.Contains(exitCode);

    /// <summary>Service (runs until stopped) or job (runs to completion).</summary>
    public ProcessKind Kind { get; init; } = ProcessKind.Service;

    /// <summary>
    /// <c>critical</c>: its failure makes an embedding host Unhealthy rather than Degraded. Not part of what a reload
    /// compares: it changes no run, only how a health check weighs the process.
    /// </summary>
    public bool Critical { get; init; }

    /// <summary>
    /// <c>availability.exit-on-failure</c>: when this process fails for good, a standalone node stops every process and
    /// exits with its exit code. Not part of what a reload compares: it changes no run, only what the node does after.
    /// </summary>
    public bool ExitOnFailure { get; init; }

    /// <summary>Failure codes worth retrying (a preset's, plus transient-exit-codes).</summary>
    public IReadOnlySet<int> TransientExitCodes { get; init; } = new HashSet<int>();

    /// <summary>Failure codes retrying cannot help: the process fails at once (a preset's, plus permanent-exit-codes).</summary>
    public IReadOnlySet<int> PermanentExitCodes { get; init; } = new HashSet<int>();

    /// <summary>Retries of a job: attempts, total budget, backoff.</summary>
    public RetrySettings Retry { get; init; } = RetrySettings.Default;

    /// <summary>Start and run deadlines.</summary>
    public ProcessTimeouts Timeouts { get; init; } = ProcessTimeouts.Off;

    /// <summary>Startup, liveness and readiness probes.</summary>
    public ProbesSettings Probes { get; init; } = ProbesSettings.None;

    /// <summary>Where "ready" comes from: the readiness probe (if any), or READY=1 on the run's NOTIFY_SOCKET.</summary>
    public ReadinessSource Readiness { get; init; } = ReadinessSource.Probe;

    /// <summary>Readiness is checked (a readiness probe, notify or a ready-log-line): only then is running not yet ready.</summary>
    public bool HasReadinessCheck => Probes.Readiness is not null || Readiness == ReadinessSource.Notify || ReadyLogLine is not null;

    /// <summary><c>ready-log-line</c>: ready on the first output line of a run that matches; null when not declared.</summary>
    public ReadyLogLine? ReadyLogLine { get; init; }

    /// <summary><c>hooks { pre-start, post-stop }</c>.</summary>
    public HooksSettings Hooks { get; init; } = HooksSettings.None;

    /// <summary>The processes that must reach a state before this one starts, in declaration order.</summary>
    public IReadOnlyList<Dependency> DependsOn { get; init; } = [];

    /// <summary><c>env-file</c>: dotenv files under <c>env</c> and over the node's environment, read again at each start.</summary>
    public EnvFileSettings EnvFiles { get; init; } = EnvFileSettings.None;

    /// <summary><c>inherit-env</c>: false starts from an empty environment (plus PATH and what the node adds).</summary>
    public bool InheritEnv { get; init; } = true;

    /// <summary>user, group, umask, limits, nice, oom-score-adjust; <see cref="ExecSettings.None"/> when none is set.</summary>
    public ExecSettings Exec { get; init; } = ExecSettings.None;

    /// <summary>
    /// Which copy of its declared process this is (<c>replicas</c>); null for a process built in code without one,
    /// which counts as the only copy of itself.
    /// </summary>
    public ReplicaSettings? Replica { get; init; }

    /// <summary>The declared name this process is a copy of: what <c>depends-on</c>, <c>scale</c> and the CLI's NAME mean.</summary>
    public string Group => Replica?.Group ?? Name;

    /// <summary><c>autostart</c>: off declares a process that starts only when asked (<c>actors start</c>).</summary>
    public bool Autostart { get; init; } = true;

    /// <summary><c>placement</c>: which nodes of a cluster run it; <see cref="Placement.Local"/> without a cluster.</summary>
    public Placement Placement { get; init; } = Placement.Local;
}

/// <summary>
/// One copy of a declared process with <c>replicas = N</c>: copy <paramref name="Index"/> (from 1) of
/// <paramref name="Count"/>, named <c>GROUP-i</c> with i zero-padded to <paramref name="Width"/> digits, or plain
/// <c>GROUP</c> when <paramref name="Plain"/> (the one copy of a process declared with replicas = 1, and it stays so
/// when scaled up, so a scale never renames a running process). <paramref name="LogDir"/> is where the copies'
/// default logs go; null when the declaration names its own log.file (which copies cannot share).
/// </summary>
public sealed record ReplicaSettings(string Group, int Index, int Count, int Width, bool Plain, string? LogDir)
{
    /// <summary>The name of copy <paramref name="index"/> of this group.</summary>
    public string NameOf(int index) =>
        index == 1 && Plain ? Group : $"{Group}-{index.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(Width, '0')}";
}

/// <summary>Node-wide settings (<c>actors.node</c>).</summary>
public sealed record NodeSettings(string StateDir, string LogDir, TimeSpan ShutdownTimeout)
{
    /// <summary>The unix socket of the control API; <c>&lt;state-dir&gt;/control.sock</c> unless set.</summary>
    public string ControlSocket { get; init; } = Path.Combine(StateDir, "control.sock");

    /// <summary>The single-instance lock <c>&lt;state-dir&gt;/node.lock</c>.</summary>
    public NodeLockSettings Lock { get; init; } = NodeLockSettings.Default;

    /// <summary>The file whose lock makes a node the only one on its state-dir.</summary>
    public string LockFile => Path.Combine(StateDir, "node.lock");

    /// <summary>The optional HTTP listener (<c>actors.node.http</c>); null when off (<c>listen = ""</c>, the default).</summary>
    public HttpListenerSettings? Http { get; init; }
}

/// <summary>
/// The HTTP listener beside the unix socket: dashboard, metrics and reads open; state changes need the bearer
/// token in <paramref name="TokenFile"/> (null: no token, so no state changes over HTTP).
/// </summary>
public sealed record HttpListenerSettings(System.Net.IPEndPoint Listen, string ListenText, string? TokenFile)
{
    /// <summary>Listening on every interface (0.0.0.0 or ::): anyone who can reach the machine reads the node.</summary>
    public bool IsWildcard => Listen.Address.Equals(System.Net.IPAddress.Any) || Listen.Address.Equals(System.Net.IPAddress.IPv6Any);
}

/// <summary>How often the node lock's holder record is refreshed, and when a holder that stopped refreshing counts as hung.</summary>
public sealed record NodeLockSettings(TimeSpan HeartbeatInterval, TimeSpan StaleAfter)
{
    public static readonly NodeLockSettings Default = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)); // as reference.conf
}

/// <summary>
/// A whole validated configuration: the node and the processes it runs, in declaration order. In a cluster, the
/// processes placed on other nodes (another role) are left out of <see cref="Processes"/> and kept in
/// <see cref="PlacedElsewhere"/>.
/// </summary>
public sealed record ActorsSettings(string? SourceFile, NodeSettings Node, IReadOnlyList<ProcessSettings> Processes)
{
    /// <summary><c>actors.cluster</c>; null when the cluster is off (the default).</summary>
    public ClusterSettings? Cluster { get; init; }

    /// <summary>Declared with a placement this node does not match: other nodes of the cluster run them.</summary>
    public IReadOnlyList<ProcessSettings> PlacedElsewhere { get; init; } = [];

    /// <summary>
    /// The declarations of the cluster-placed processes, as written (the process over actors.defaults), flattened to
    /// key = value: every node must declare them alike (<see cref="ClusterDeclarations.Differences"/>).
    /// </summary>
    public ClusterDeclarations ClusterDeclarations { get; init; } = ClusterDeclarations.Empty;
}
