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
        w.Close();
    }
}

/// <summary><c>backoff { min, max, random-factor, reset-after }</c>; defaults 1s, 60s, 0.2, 60s.</summary>
public sealed class BackoffOptions
{
    public TimeSpan? Min { get; set; }
    public TimeSpan? Max { get; set; }
    public double? RandomFactor { get; set; }
    public TimeSpan? ResetAfter { get; set; }

    internal void WriteTo(HoconWriter w)
    {
        w.Open("backoff");
        w.Duration("min", Min);
        w.Duration("max", Max);
        w.Raw("random-factor", RandomFactor?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.Duration("reset-after", ResetAfter);
        w.Close();
    }
}

/// <summary><c>start-limit { burst, interval }</c>; defaults 10 starts in 10m.</summary>
public sealed class StartLimitOptions
{
    public int? Burst { get; set; }
    public TimeSpan? Interval { get; set; }

    internal void WriteTo(HoconWriter w)
    {
        w.Open("start-limit");
        w.Int("burst", Burst);
        w.Duration("interval", Interval);
        w.Close();
    }
}

/// <summary><c>stop { signal, timeout }</c>; defaults TERM, 10s (then KILL to the whole group).</summary>
public sealed class StopOptions
{
    public string? Signal { get; set; }
    public TimeSpan? Timeout { get; set; }

    internal void WriteTo(HoconWriter w)
    {
        w.Open("stop");
        w.String("signal", Signal);
        w.Duration("timeout", Timeout);
        w.Close();
    }
}

/// <summary><c>timeout { start, run }</c>; both off by default. <see cref="TimeSpan.Zero"/> is not "off": leave null.</summary>
public sealed class TimeoutOptions
{
    public TimeSpan? Start { get; set; }
    public TimeSpan? Run { get; set; }

    internal void WriteTo(HoconWriter w)
    {
        w.Open("timeout");
        w.Duration("start", Start);
        w.Duration("run", Run);
        w.Close();
    }
}

/// <summary><c>log { file, max-size, keep, timestamps }</c>; defaults NAME.log in the log-dir, 50MB, 10, off.</summary>
public sealed class LogOptions
{
    public string? File { get; set; }
    /// <summary>A HOCON size such as "50MB".</summary>
    public string? MaxSize { get; set; }
    public int? Keep { get; set; }
    public bool? Timestamps { get; set; }

    internal void WriteTo(HoconWriter w)
    {
        w.Open("log");
        w.String("file", File);
        w.Raw("max-size", MaxSize is null ? null : HoconWriter.Quote(MaxSize));
        w.Int("keep", Keep);
        w.Bool("timestamps", Timestamps);
        w.Close();
    }
}

/// <summary>A probe: <c>type</c> exec, http, tcp or heartbeat-file, and what that type needs.</summary>
public sealed class ProbeOptions
{
    public string? Type { get; set; }
    public string? Command { get; set; }
    public IList<string>? Args { get; set; }
    public string? Url { get; set; }
    public string? Host { get; set; }
    public int? Port { get; set; }
    public string? Path { get; set; }
    public TimeSpan? MaxAge { get; set; }
    public TimeSpan? InitialDelay { get; set; }
    public TimeSpan? Period { get; set; }
    public TimeSpan? Timeout { get; set; }
    public int? SuccessThreshold { get; set; }
    public int? FailureThreshold { get; set; }

    internal void WriteTo(HoconWriter w, string role)
    {
        w.Open(role);
        w.String("type", Type);
        w.String("command", Command);
        w.List("args", Args);
        w.String("url", Url);
        w.String("host", Host);
        w.Int("port", Port);
        w.String("path", Path);
        w.Duration("max-age", MaxAge);
        w.Duration("initial-delay", InitialDelay);
        w.Duration("period", Period);
        w.Duration("timeout", Timeout);
        w.Int("success-threshold", SuccessThreshold);
        w.Int("failure-threshold", FailureThreshold);
        w.Close();
    }
}
