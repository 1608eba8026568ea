using Actors.Configuration;
using Xunit;

namespace Actors.Core.Tests.Configuration;

/// <summary>Issue 5's keys: kind, exit classes and presets, retry, timeouts, probes, depends-on.</summary>
public sealed class HealthConfigSpec : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private ProcessSettings Load(string process)
    {
        var result = ConfigLoader.LoadText($"actors.processes {{ db {{ command = sh }}, p {{ {process} }} }}", "f.conf", _temp.Dir);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Settings!.Processes[1];
    }

    private List<string> Errors(string text) =>
        ConfigLoader.LoadText(text, "f.conf", _temp.Dir).Errors.Select(e => e.ToString()).ToList();

    [Fact]
    public void Defaults_are_a_service_with_no_probes_no_deadlines_and_three_attempts()
    {
        var p = Load("command = sh");
        Assert.Equal(ProcessKind.Service, p.Kind);
        Assert.Equal(RestartPolicy.Always, p.Restart);
        Assert.Equal(ProbesSettings.None, p.Probes);
        Assert.Equal(ProcessTimeouts.Off, p.Timeouts);
        Assert.Equal(RetrySettings.Default, p.Retry);
        Assert.Empty(p.TransientExitCodes);
        Assert.Empty(p.PermanentExitCodes);
        Assert.Empty(p.DependsOn);
    }

    [Fact]
    public void A_job_restarts_on_failure_by_default_even_when_the_defaults_say_always()
    {
        var result = ConfigLoader.LoadText("""
            actors { defaults.restart = always, processes.fetch { command = curl, kind = job } }
            """, "f.conf", _temp.Dir);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(ProcessKind.Job, result.Settings!.Processes[0].Kind);
        Assert.Equal(RestartPolicy.OnFailure, result.Settings.Processes[0].Restart);
    }

    [Fact]
    public void The_curl_preset_fills_the_classes_and_the_users_lists_win()
    {
        var p = Load("""command = curl, kind = job, retry { preset = curl, max-attempts = 5, budget = 2m, backoff = "1s..30s" }, transient-exit-codes = [22, 75], permanent-exit-codes = [28]""");
        Assert.Contains(6, p.TransientExitCodes);
        Assert.Contains(56, p.TransientExitCodes);
        Assert.Contains(22, p.TransientExitCodes);
        Assert.Contains(75, p.TransientExitCodes);
        Assert.DoesNotContain(28, p.TransientExitCodes);
        Assert.Contains(28, p.PermanentExitCodes);
        Assert.Contains(2, p.PermanentExitCodes);
        Assert.DoesNotContain(22, p.PermanentExitCodes);
        Assert.Equal(5, p.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromMinutes(2), p.Retry.Budget);
        Assert.Equal("curl", p.Retry.Preset);
        Assert.Equal(TimeSpan.FromSeconds(1), p.Retry.Backoff!.Min);
        Assert.Equal(TimeSpan.FromSeconds(30), p.Retry.Backoff.Max);
        Assert.Equal(p.Backoff.RandomFactor, p.Retry.Backoff.RandomFactor);
    }

    [Fact]
    public void Timeouts_take_off_or_a_positive_duration()
    {
        Assert.Equal(new ProcessTimeouts(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)), Load("command = sh, timeout { start = 30s, run = 2m }").Timeouts);
        Assert.Equal(ProcessTimeouts.Off, Load("command = sh, timeout { start = off, run = off }").Timeouts);
    }

    [Fact]
    public void Probes_of_each_type_are_read_with_kubernetes_defaults()
    {
        var p = Load("""
            command = sh
            probes {
              startup { type = tcp, port = 5432, failure-threshold = 30 }
              liveness { type = heartbeat-file, path = "hb", max-age = 5s, period = 2s, timeout = 500ms }
              readiness { type = http, url = "http://127.0.0.1:8080/health", success-threshold = 2, initial-delay = 1s }
            }
            """);
        Assert.Equal(new ProbeSettings(ProbeRole.Startup, new TcpProbeTarget("127.0.0.1", 5432), TimeSpan.Zero, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), 1, 30), p.Probes.Startup);
        Assert.Equal(new ProbeSettings(ProbeRole.Liveness, new HeartbeatFileProbeTarget(Path.Combine(_temp.Dir, "hb"), TimeSpan.FromSeconds(5)), TimeSpan.Zero, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500), 1, 3), p.Probes.Liveness);
        Assert.Equal(new ProbeSettings(ProbeRole.Readiness, new HttpProbeTarget(new Uri("http://127.0.0.1:8080/health")), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), 2, 3), p.Probes.Readiness);
    }

    [Fact]
    public void An_exec_probe_keeps_its_arguments_and_compares_by_content()
    {
        var a = Load("""command = sh, probes.liveness { type = exec, command = "/bin/true", args = ["-x", "y"] }""");
        var b = Load("""command = sh, probes.liveness { type = exec, command = "/bin/true", args = ["-x", "y"] }""");
        Assert.Equal(new ExecProbeTarget("/bin/true", ["-x", "y"]), a.Probes.Liveness!.Target);
        Assert.True(ProcessSettingsEquality.Instance.Equals(a, b));
        var c = Load("""command = sh, probes.liveness { type = exec, command = "/bin/true", args = ["-x", "z"] }""");
        Assert.False(ProcessSettingsEquality.Instance.Equals(a, c));
    }

    [Fact]
    public void Dependencies_keep_their_order_and_condition()
    {
        // Every name must be declared (DependencyGraph checks it): cache and migrate are declared here too.
        var result = ConfigLoader.LoadText("""
            actors.processes {
              db { command = sh }
              cache { command = sh }
              migrate { command = sh, kind = job }
              p { command = sh, depends-on { db = ready, cache = started, migrate = completed } }
            }
            """, "f.conf", _temp.Dir);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var p = result.Settings!.Processes[3];
        Assert.Equal([new Dependency("db", DependencyCondition.Ready), new Dependency("cache", DependencyCondition.Started), new Dependency("migrate", DependencyCondition.Completed)], p.DependsOn);
    }

    [Fact]
    public void Health_mistakes_are_reported_with_file_line_and_key()
    {
        var errors = Errors("""
            actors.processes {
              a { command = sh, kind = batch }
              b { command = sh, kind = job, restart = always }
              c { command = sh, retry { preset = wget, max-attempts = 0, budget = 0s, backoff = "30s..1s" } }
              d { command = sh, timeout { start = -1s, run = 0 } }
              e { command = sh, transient-exit-codes = [7, 0], permanent-exit-codes = [7], success-exit-codes = [3, 7] }
              f { command = sh, depends-on { a = up } }
              g { command = sh, probes.liveness { type = ping, period = 0s, failure-threshold = 0 } }
              h { command = sh, probes.liveness { type = http, url = "ftp://x", success-threshold = 2 } }
              i { command = sh, probes.readiness { type = tcp }, probes.startup { type = exec } }
              j { command = sh, probes.readiness { type = heartbeat-file, max-age = 0s, timeout = 0s } }
              k { command = sh, probes.liveness { type = exec, command = "/no/such/check" }, probes.readiness { type = exec, command = no-such-check-on-path } }
            }
            """);
        void Has(int line, string key, string text) =>
            Assert.Contains(errors, e => e.StartsWith($"f.conf:{line}: actors.processes.{key}:") && e.Contains(text));
        Has(2, "a.kind", "use service (runs until stopped) or job");
        Has(3, "b.restart", "always is not allowed for kind = job");
        Has(4, "c.retry.preset", "not a known preset; use one of curl, rsync");
        Has(4, "c.retry.max-attempts", "0 is out of range");
        Has(4, "c.retry.budget", "0s is out of range; use off");
        Has(4, "c.retry.backoff", "not a delay range");
        Has(5, "d.timeout.start", "-1s is out of range");
        Has(5, "d.timeout.run", "0s is out of range");
        Has(6, "e.transient-exit-codes", "element 2 is \"0\", which is not an exit code 1..255");
        Has(6, "e.permanent-exit-codes", "7 is also in transient-exit-codes");
        Has(6, "e.transient-exit-codes", "7 is in success-exit-codes");
        Has(7, "f.depends-on.a", "\"up\" is not a condition; use started, ready, completed or exited");
        Has(8, "g.probes.liveness.type", "\"ping\" is not a probe type");
        Has(8, "g.probes.liveness.period", "0s is out of range");
        Has(8, "g.probes.liveness.failure-threshold", "0 is out of range");
        Has(9, "h.probes.liveness.url", "not an http:// or https:// url");
        Has(9, "h.probes.liveness.success-threshold", "must be 1 (as in Kubernetes)");
        Has(10, "i.probes.readiness.port", "is required for a tcp probe");
        Has(10, "i.probes.startup.command", "is required for an exec probe");
        Has(11, "j.probes.readiness.max-age", "0s is out of range");
        Has(11, "j.probes.readiness.timeout", "0s is out of range");
        Has(11, "j.probes.readiness.path", "is required for a heartbeat-file probe");
        Has(12, "k.probes.liveness.command", "/no/such/check does not exist; the probe would fail at every check");
        Has(12, "k.probes.readiness.command", "\"no-such-check-on-path\" is not found on PATH");
        Assert.True(errors.Count == 24, string.Join("\n", errors));
    }
}
