namespace Actors.Configuration;

/// <summary>A service runs until stopped; a job runs to completion (and is retried on transient failures).</summary>
public enum ProcessKind
{
    Service,
    Job,
}

/// <summary>What makes a service "ready" (<c>readiness</c>).</summary>
public enum ReadinessSource
{
    /// <summary>Its readiness probe, when it declares one; without one, running counts as ready.</summary>
    Probe,
    /// <summary>
    /// systemd's notify protocol: the node gives each run its own NOTIFY_SOCKET, and READY=1 from the process makes
    /// it ready (s6's notification-fd idea in systemd's protocol).
    /// </summary>
    Notify,
}

/// <summary>The three Kubernetes probe roles.</summary>
public enum ProbeRole
{
    /// <summary>Gates the others: until it succeeds, liveness and readiness do not run. Failing restarts the process.</summary>
    Startup,
    /// <summary>Failing restarts the process through the normal backoff (an alive but hung process).</summary>
    Liveness,
    /// <summary>Drives the <c>ready</c> state; failing never restarts.</summary>
    Readiness,
}

/// <summary>What a probe checks. One subtype per <c>type</c>.</summary>
public abstract record ProbeTarget
{
    /// <summary>The <c>type</c> key's value: exec, http, tcp or heartbeat-file.</summary>
    public abstract string TypeName { get; }
}

/// <summary><c>type = exec</c>: the command (no shell) exits 0 within the timeout.</summary>
public sealed record ExecProbeTarget(string Command, IReadOnlyList<string> Args) : ProbeTarget
{
    public override string TypeName => "exec";

    public bool Equals(ExecProbeTarget? other) => other is not null && Command == other.Command && Args.SequenceEqual(other.Args);

    public override int GetHashCode() => HashCode.Combine(Command, Args.Count);
}

/// <summary><c>type = http</c>: a GET of the url answers 2xx or 3xx within the timeout (redirects are not followed).</summary>
public sealed record HttpProbeTarget(Uri Url) : ProbeTarget
{
    public override string TypeName => "http";
}

/// <summary><c>type = tcp</c>: a connection to host:port opens within the timeout.</summary>
public sealed record TcpProbeTarget(string Host, int Port) : ProbeTarget
{
    public override string TypeName => "tcp";
}

/// <summary><c>type = heartbeat-file</c>: the file's modification time is younger than <c>MaxAge</c>.</summary>
public sealed record HeartbeatFileProbeTarget(string Path, TimeSpan MaxAge) : ProbeTarget
{
    public override string TypeName => "heartbeat-file";
}

/// <summary>
/// One probe, with Kubernetes semantics: the first check runs <c>InitialDelay</c> after the process starts, then
/// one every <c>Period</c>; a check that takes longer than <c>Timeout</c> fails. <c>FailureThreshold</c>
/// consecutive failures make the probe fail, <c>SuccessThreshold</c> consecutive successes make it pass.
/// </summary>
public sealed record ProbeSettings(
    ProbeRole Role,
    ProbeTarget Target,
    TimeSpan InitialDelay,
    TimeSpan Period,
    TimeSpan Timeout,
    int SuccessThreshold,
    int FailureThreshold)
{
    /// <summary>"liveness", "readiness", "startup": the role as config and reasons name it.</summary>
    public string RoleName => Role.ToString().ToLowerInvariant();
}

/// <summary>The probes a process declares; each is null when not declared (<c>type = ""</c>).</summary>
public sealed record ProbesSettings(ProbeSettings? Startup, ProbeSettings? Liveness, ProbeSettings? Readiness)
{
    public static readonly ProbesSettings None = new(null, null, null);

    public IEnumerable<ProbeSettings> All => new[] { Startup, Liveness, Readiness }.OfType<ProbeSettings>();
}

/// <summary>
/// Deadlines of a process (<c>timeout { }</c>); null means off. <c>Start</c>: from launch until the process is up
/// (running, its startup probe passed and, with a readiness probe, ready once); missed → restart.
/// <c>Run</c>: how long one run may last (jobs); missed → the group is stopped and the run counts as exit 124.
/// </summary>
public sealed record ProcessTimeouts(TimeSpan? Start, TimeSpan? Run)
{
    public static readonly ProcessTimeouts Off = new(null, null);
}

/// <summary>
/// How a job is retried (<c>retry { }</c>): at most <c>MaxAttempts</c> runs in all; <c>Budget</c> bounds the
/// total time from the first start across every attempt and backoff (null = no bound); <c>Backoff</c> replaces
/// the process's backoff for retries when set; <c>Preset</c> names the exit-code classes that were filled in.
/// </summary>
public sealed record RetrySettings(int MaxAttempts, TimeSpan? Budget, BackoffSettings? Backoff, string? Preset)
{
    public static readonly RetrySettings Default = new(3, null, null, null);
}

/// <summary>The state a dependency must reach before a dependent starts.</summary>
public enum DependencyCondition
{
    /// <summary>Its main process runs (running, ready), or it already completed.</summary>
    Started,
    /// <summary>Ready: its readiness probe passes; without a readiness probe, running counts as ready.</summary>
    Ready,
    /// <summary>A job that finished with success.</summary>
    Completed,
    /// <summary>Reached a final state, whatever its exit code: completed or failed (for good).</summary>
    Exited,
}

/// <summary>One entry of <c>depends-on { NAME = CONDITION }</c>.</summary>
public sealed record Dependency(string Name, DependencyCondition Condition)
{
    public string ConditionName => Condition.ToString().ToLowerInvariant();
}
