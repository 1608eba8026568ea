using System.Globalization;

namespace Actors.Hosting;

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
        w.Raw("random-factor", RandomFactor?.ToString(CultureInfo.InvariantCulture));
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

/// <summary>
/// <c>log { file, max-size, keep, timestamps, truncate-on-start, stderr }</c>; defaults NAME.log in the log-dir, 50MB,
/// 10, off, off, merged.
/// </summary>
public sealed class LogOptions
{
    public string? File { get; set; }
    /// <summary>A HOCON size such as "50MB".</summary>
    public string? MaxSize { get; set; }
    public int? Keep { get; set; }
    public bool? Timestamps { get; set; }
    /// <summary>Empty the file and the tail at each start, so they hold only the current run.</summary>
    public bool? TruncateOnStart { get; set; }
    /// <summary>True: stderr goes to its own file beside the log, NAME.err.log (<c>stderr = separate</c>); false: merged (the default).</summary>
    public bool? SeparateStderr { get; set; }

    internal void WriteTo(HoconWriter w)
    {
        w.Open("log");
        w.String("file", File);
        w.Raw("max-size", MaxSize is null ? null : HoconWriter.Quote(MaxSize));
        w.Int("keep", Keep);
        w.Bool("timestamps", Timestamps);
        w.Bool("truncate-on-start", TruncateOnStart);
        w.Raw("stderr", SeparateStderr is null ? null : SeparateStderr.Value ? "separate" : "merged");
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

/// <summary>
/// <c>limits { nofile, nproc, core, memlock }</c>: a number, "SOFT:HARD" or "infinity"; core and memlock are sizes
/// ("64MiB"). Unset: inherited from the host.
/// </summary>
public sealed class LimitsOptions
{
    public string? Nofile { get; set; }
    public string? Nproc { get; set; }
    public string? Core { get; set; }
    public string? Memlock { get; set; }

    internal void WriteTo(HoconWriter w)
    {
        w.Open("limits");
        w.String("nofile", Nofile);
        w.String("nproc", Nproc);
        w.String("core", Core);
        w.String("memlock", Memlock);
        w.Close();
    }
}

/// <summary><c>retry { max-attempts, budget, backoff, preset }</c>: how a job is retried; defaults 3, off, "", "".</summary>
public sealed class RetryOptions
{
    /// <summary>Runs in all, the first included.</summary>
    public int? MaxAttempts { get; set; }
    /// <summary>Total time from the first start across every attempt; null is off.</summary>
    public TimeSpan? Budget { get; set; }
    /// <summary>"MIN..MAX", e.g. "1s..30s": the retry delays, doubling from MIN up to MAX.</summary>
    public string? Backoff { get; set; }
    /// <summary>A tool's known exit codes: "curl" or "rsync".</summary>
    public string? Preset { get; set; }

    internal void WriteTo(HoconWriter w)
    {
        w.Open("retry");
        w.Int("max-attempts", MaxAttempts);
        w.Duration("budget", Budget);
        w.String("backoff", Backoff);
        w.String("preset", Preset);
        w.Close();
    }
}

/// <summary>A hook: <c>{ command, args, timeout }</c>, run without a shell; timeout default 30s.</summary>
public sealed class HookOptions
{
    public string? Command { get; set; }
    public IList<string>? Args { get; set; }
    public TimeSpan? Timeout { get; set; }

    internal void WriteTo(HoconWriter w, string key)
    {
        w.Open(key);
        w.String("command", Command);
        w.List("args", Args);
        w.Duration("timeout", Timeout);
        w.Close();
    }
}

/// <summary>
/// <c>lease { name, folder, heartbeat-interval, ttl, dead-man, class, assembly, settings }</c>; defaults none, required
/// with a name unless <see cref="Class"/> is set, 1s, 10s, on, the file lease, none, none.
/// </summary>
public sealed class LeaseOptions
{
    public string? Name { get; set; }
    /// <summary>The folder the hosts or nodes that share the lease share.</summary>
    public string? Folder { get; set; }
    public TimeSpan? HeartbeatInterval { get; set; }
    public TimeSpan? Ttl { get; set; }
    /// <summary>The dead-man switch (<c>lease.dead-man</c>).</summary>
    public bool? DeadMan { get; set; }

    /// <summary>
    /// Any <c>Akka.Coordination.Lease</c> by assembly-qualified class name (<c>lease.class</c>), instead of the file lease;
    /// e.g. <c>typeof(MyLease).AssemblyQualifiedName</c> for a class of your app.
    /// </summary>
    public string? Class { get; set; }

    /// <summary>The .dll that holds <see cref="Class"/> when the app does not reference it (<c>lease.assembly</c>).</summary>
    public string? Assembly { get; set; }

    /// <summary>The implementation's own keys (<c>lease.settings</c>), given to it in its lease config block.</summary>
    public IDictionary<string, string>? Settings { get; set; }

    internal void WriteTo(HoconWriter w)
    {
        w.Open("lease");
        w.String("name", Name);
        w.String("folder", Folder);
        w.Duration("heartbeat-interval", HeartbeatInterval);
        w.Duration("ttl", Ttl);
        w.Bool("dead-man", DeadMan);
        w.String("class", Class);
        w.String("assembly", Assembly);
        w.Map("settings", Settings);
        w.Close();
    }
}
