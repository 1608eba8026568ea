using Actors.Configuration;

namespace Actors.Hosting;

/// <summary>
/// One process declared in code. Every property left null takes the value from <c>actors.defaults</c> and then
/// reference.conf (the defaults are documented there and in the README's key table); what is set is written as
/// HOCON under <c>actors.processes.NAME</c> and read by the same reader as a node.conf, so it gets the same checks.
/// </summary>
public sealed class ProcessOptions
{
    public ProcessOptions(string name) => Name = name;

    /// <summary>The process's name: letters, digits, '.', '_' and '-'.</summary>
    public string Name { get; }

    /// <summary><c>command</c>: the program (absolute, relative to the base directory, or found on PATH).</summary>
    public string? Command { get; set; }

    /// <summary><c>args</c>: its arguments, no shell involved. Default none.</summary>
    public IList<string>? Args { get; set; }

    /// <summary><c>shell</c>: run <see cref="Command"/> through <c>/bin/sh -c</c>. Default off.</summary>
    public bool? Shell { get; set; }

    /// <summary><c>description</c>, shown by status.</summary>
    public string? Description { get; set; }

    /// <summary><c>working-dir</c>. Default the base directory.</summary>
    public string? WorkingDir { get; set; }

    /// <summary><c>env</c>: set over the host's own environment.</summary>
    public IDictionary<string, string>? Env { get; set; }

    /// <summary><c>kind</c>: service (default) or job.</summary>
    public ProcessKind? Kind { get; set; }

    /// <summary><c>restart</c>: always (default for services), on-failure (default for jobs), never.</summary>
    public RestartPolicy? Restart { get; set; }

    /// <summary><c>success-exit-codes</c>: codes that count as success besides 0.</summary>
    public IList<int>? SuccessExitCodes { get; set; }

    /// <summary><c>critical</c>: its failure makes the health check Unhealthy, not just Degraded. Default off.</summary>
    public bool? Critical { get; set; }

    /// <summary>
    /// <c>replicas</c>: run this many copies, NAME-1 … NAME-N, each with ACTORS_REPLICA and ACTORS_REPLICAS in its
    /// environment; address one as NAME-i, all of them as NAME. Default 1 (the process under its own name).
    /// </summary>
    public int? Replicas { get; set; }

    /// <summary><c>autostart</c>: false declares a process that starts only when asked (<c>StartAsync</c>). Default true.</summary>
    public bool? Autostart { get; set; }

    /// <summary><c>backoff</c>: delays between restarts.</summary>
    public BackoffOptions? Backoff { get; set; }

    /// <summary><c>start-limit</c>: how many starts within a window before it gives up.</summary>
    public StartLimitOptions? StartLimit { get; set; }

    /// <summary><c>stop</c>: the stop signal and how long to wait before KILL.</summary>
    public StopOptions? Stop { get; set; }

    /// <summary><c>timeout</c>: start and run deadlines.</summary>
    public TimeoutOptions? Timeout { get; set; }

    /// <summary><c>log</c>: the file its output goes to.</summary>
    public LogOptions? Log { get; set; }

    /// <summary><c>probes.startup</c>.</summary>
    public ProbeOptions? StartupProbe { get; set; }

    /// <summary><c>probes.liveness</c>.</summary>
    public ProbeOptions? LivenessProbe { get; set; }

    /// <summary><c>probes.readiness</c>.</summary>
    public ProbeOptions? ReadinessProbe { get; set; }

    /// <summary><c>depends-on</c>: process name → started, ready, completed or exited.</summary>
    public IDictionary<string, string>? DependsOn { get; set; }

    /// <summary><c>env-file</c>: dotenv files, relative to the working dir; <see cref="Env"/> wins over them, they over the host's environment.</summary>
    public IList<string>? EnvFile { get; set; }

    /// <summary><c>inherit-env</c>: false starts from an empty environment (PATH and ACTORS_* only) instead of the host's. Default true.</summary>
    public bool? InheritEnv { get; set; }

    /// <summary><c>user</c>: a user name or uid to run as (another user than the host's needs a host running as root).</summary>
    public string? User { get; set; }

    /// <summary><c>group</c>: a group name or gid, instead of the user's primary group.</summary>
    public string? Group { get; set; }

    /// <summary><c>umask</c>: 3 or 4 octal digits, e.g. "027".</summary>
    public string? Umask { get; set; }

    /// <summary><c>limits</c>: resource limits set in the child before exec.</summary>
    public LimitsOptions? Limits { get; set; }

    /// <summary><c>nice</c>: -20 (highest priority) .. 19 (lowest).</summary>
    public int? Nice { get; set; }

    /// <summary><c>oom-score-adjust</c>: -1000 .. 1000.</summary>
    public int? OomScoreAdjust { get; set; }

    /// <summary><c>transient-exit-codes</c>: failures that are retried (the default for codes in no list).</summary>
    public IList<int>? TransientExitCodes { get; set; }

    /// <summary><c>permanent-exit-codes</c>: failures that are not retried: the process fails at once.</summary>
    public IList<int>? PermanentExitCodes { get; set; }

    /// <summary><c>retry</c>: how a job is retried after a transient failure.</summary>
    public RetryOptions? Retry { get; set; }

    /// <summary><c>readiness</c>: where "ready" comes from: the readiness probe (default) or systemd's notify protocol.</summary>
    public ReadinessSource? Readiness { get; set; }

    /// <summary><c>ready-log-line</c>: a regular expression; the run is ready on the first output line that matches.</summary>
    public string? ReadyLogLine { get; set; }

    /// <summary><c>hooks.pre-start</c>: a command run before each start; its failure is a failed start.</summary>
    public HookOptions? PreStartHook { get; set; }

    /// <summary><c>hooks.post-stop</c>: a command run after each run, once its group is gone.</summary>
    public HookOptions? PostStopHook { get; set; }

    /// <summary><c>lease</c>: only the holder of the named lease runs the process.</summary>
    public LeaseOptions? Lease { get; set; }

    internal void WriteTo(HoconWriter w)
    {
        w.Open(Name);
        w.String("command", Command);
        w.List("args", Args);
        w.Bool("shell", Shell);
        w.String("description", Description);
        w.String("working-dir", WorkingDir);
        w.Map("env", Env);
        w.Raw("kind", Kind is { } kind ? kind.ToString().ToLowerInvariant() : null);
        w.Raw("restart", Restart switch
        {
            RestartPolicy.Always => "always",
            RestartPolicy.OnFailure => "on-failure",
            RestartPolicy.Never => "never",
            _ => null,
        });
        w.Ints("success-exit-codes", SuccessExitCodes);
        w.Bool("critical", Critical);
        w.Int("replicas", Replicas);
        w.Bool("autostart", Autostart);
        Backoff?.WriteTo(w);
        StartLimit?.WriteTo(w);
        Stop?.WriteTo(w);
        Timeout?.WriteTo(w);
        Log?.WriteTo(w);
        if (StartupProbe is not null || LivenessProbe is not null || ReadinessProbe is not null)
        {
            w.Open("probes");
            StartupProbe?.WriteTo(w, "startup");
            LivenessProbe?.WriteTo(w, "liveness");
            ReadinessProbe?.WriteTo(w, "readiness");
            w.Close();
        }
        w.Map("depends-on", DependsOn);
        w.List("env-file", EnvFile);
        w.Bool("inherit-env", InheritEnv);
        w.String("user", User);
        w.String("group", Group);
        w.String("umask", Umask);
        Limits?.WriteTo(w);
        w.Int("nice", Nice);
        w.Int("oom-score-adjust", OomScoreAdjust);
        w.Ints("transient-exit-codes", TransientExitCodes);
        w.Ints("permanent-exit-codes", PermanentExitCodes);
        Retry?.WriteTo(w);
        w.Raw("readiness", Readiness is { } readiness ? readiness.ToString().ToLowerInvariant() : null);
        w.String("ready-log-line", ReadyLogLine);
        if (PreStartHook is not null || PostStopHook is not null)
        {
            w.Open("hooks");
            PreStartHook?.WriteTo(w, "pre-start");
            PostStopHook?.WriteTo(w, "post-stop");
            w.Close();
        }
        Lease?.WriteTo(w);
        w.Close();
    }
}
