namespace Actors.Configuration;

/// <summary>probes.startup, probes.liveness and probes.readiness of one process: one block each, the same keys.</summary>
internal sealed class ProbeReader(LayeredReader r, PathResolver paths)
{
    private Diagnostics D => r.Diagnostics;

    public ProbesSettings Read(bool checkFileSystem) => new(
        ReadProbe(ProbeRole.Startup, checkFileSystem),
        ReadProbe(ProbeRole.Liveness, checkFileSystem),
        ReadProbe(ProbeRole.Readiness, checkFileSystem));

    /// <summary>Null when its type is "" (not declared); the timing keys are checked either way.</summary>
    private ProbeSettings? ReadProbe(ProbeRole role, bool checkFileSystem)
    {
        var key = $"probes.{role.ToString().ToLowerInvariant()}";
        var type = r.String($"{key}.type");
        var initialDelay = r.Duration($"{key}.initial-delay");
        var period = r.Duration($"{key}.period");
        var timeout = r.Duration($"{key}.timeout");
        var successes = r.Int($"{key}.success-threshold");
        var failures = r.Int($"{key}.failure-threshold");
        D.NotNegative(initialDelay);
        D.Positive(period, "10s");
        D.Positive(timeout, "1s");
        D.AtLeastOne(successes);
        D.AtLeastOne(failures);
        if (role != ProbeRole.Readiness && successes.Value > 1)
            D.Error(successes.Path, $"{successes.Value} is not allowed for a {role.ToString().ToLowerInvariant()} probe; it must be 1 (as in Kubernetes): one success shows the process is alive");
        var target = type.Value.Trim().ToLowerInvariant() switch
        {
            "" => null,
            "exec" => ExecTarget(key, checkFileSystem),
            "http" => HttpTarget(key),
            "tcp" => TcpTarget(key),
            "heartbeat-file" => HeartbeatTarget(key),
            var other => Unknown(type, other),
        };
        return target is null ? null
            : new ProbeSettings(role, target, initialDelay.Value, period.Value, timeout.Value, successes.Value, failures.Value);
    }

    private ProbeTarget? Unknown(Read<string> type, string value)
    {
        D.Error(type.Path, $"\"{value}\" is not a probe type; use exec, http, tcp or heartbeat-file (or \"\" for no probe)");
        return null;
    }

    private ExecProbeTarget? ExecTarget(string key, bool checkFileSystem)
    {
        var command = r.String($"{key}.command");
        var args = r.List<string>($"{key}.args", (string t, out string v) => { v = t; return true; }, "a string", "\"--check\"");
        if (command.Value.Trim().Length == 0)
        {
            D.Error(command.IsUser ? command.Path : r.TopPath($"{key}.command"),
                "is required for an exec probe: the program to run (no shell), e.g. command = \"/usr/bin/pg_isready\"");
            return null;
        }
        // Unlike the process's own command (which may be installed later, so only warned about), a probe that
        // cannot run fails at every check and restarts a healthy process: an error.
        if (!command.Value.Contains('/'))
        {
            if (checkFileSystem && !PathResolver.IsOnPath(command.Value))
                D.Error(command.Path, $"\"{command.Value}\" is not found on PATH; the probe would fail at every check. Install it, or write its full path");
            return new ExecProbeTarget(command.Value, args.Value);
        }
        var resolved = paths.Resolve(command.Value);
        if (checkFileSystem && !PathResolver.IsExecutableFile(resolved))
            D.Error(command.Path, File.Exists(resolved)
                ? $"{resolved} is not executable; the probe would fail at every check (chmod +x it)"
                : $"{resolved} does not exist; the probe would fail at every check. Fix the path (relative paths start from the config file's folder)");
        return new ExecProbeTarget(resolved, args.Value);
    }

    private HttpProbeTarget? HttpTarget(string key)
    {
        var url = r.String($"{key}.url");
        if (Uri.TryCreate(url.Value.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0)
            return new HttpProbeTarget(uri);
        D.Error(url.IsUser ? url.Path : r.TopPath($"{key}.url"), url.Value.Trim().Length == 0
            ? "is required for an http probe, e.g. url = \"http://127.0.0.1:8080/health\""
            : $"\"{url.Value}\" is not an http:// or https:// url; write e.g. \"http://127.0.0.1:8080/health\"");
        return null;
    }

    private TcpProbeTarget? TcpTarget(string key)
    {
        var host = r.String($"{key}.host");
        var port = r.Int($"{key}.port");
        var ok = true;
        if (host.Value.Trim().Length == 0)
        {
            D.Error(host.Path, "must not be empty for a tcp probe; use e.g. \"127.0.0.1\"");
            ok = false;
        }
        if (port.Value is < 1 or > 65535)
        {
            D.Error(port.IsUser ? port.Path : r.TopPath($"{key}.port"), port.IsUser
                ? $"{port.Value} is out of range; use a port 1..65535"
                : "is required for a tcp probe: the port to connect to, e.g. port = 5432");
            ok = false;
        }
        return ok ? new TcpProbeTarget(host.Value.Trim(), port.Value) : null;
    }

    private HeartbeatFileProbeTarget? HeartbeatTarget(string key)
    {
        var path = r.String($"{key}.path");
        var maxAge = r.Duration($"{key}.max-age");
        D.Positive(maxAge, "30s");
        if (path.Value.Trim().Length > 0) return new HeartbeatFileProbeTarget(paths.Resolve(path.Value.Trim()), maxAge.Value);
        D.Error(path.IsUser ? path.Path : r.TopPath($"{key}.path"),
            "is required for a heartbeat-file probe: the file the process touches, e.g. path = \"/run/myapp/heartbeat\"");
        return null;
    }
}
