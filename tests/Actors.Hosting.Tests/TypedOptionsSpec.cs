using Actors.Configuration;
using Actors.Supervision;
using Xunit;

namespace Actors.Hosting.Tests;

/// <summary>
/// Every key a node.conf may set on a process can be set in code too, and means the same: the typed options are
/// written as HOCON and read by the node's reader. Also ScaleAsync, the embedded <c>actors scale</c>, and where a
/// host keeps the notify sockets.
/// </summary>
public sealed class TypedOptionsSpec : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-typed-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ProcessSettings Read(string hocon, Action<ProcessSupervisionOptions> configure)
    {
        var options = new ProcessSupervisionOptions { BaseDirectory = _dir };
        configure(options);
        return SupervisionConfig.Read(hocon, options).Processes.Single();
    }

    [Fact]
    public void Each_typed_option_gives_the_same_settings_as_its_key_written_in_hocon()
    {
        File.WriteAllText(Path.Combine(_dir, "app.env"), "MODE=typed\n");
        var leases = Path.Combine(_dir, "leases");
        var typed = Read("", o =>
        {
            var p = o.AddProcess("worker", "/bin/sleep", "600");
            p.EnvFile = ["app.env"];
            p.InheritEnv = false;
            p.User = "nobody";
            p.Group = "nogroup";
            p.Umask = "027";
            p.Limits = new LimitsOptions { Nofile = "4096", Nproc = "100:200", Core = "0", Memlock = "64MiB" };
            p.Nice = 5;
            p.OomScoreAdjust = 500;
            p.Kind = ProcessKind.Job;
            p.TransientExitCodes = [75];
            p.PermanentExitCodes = [2, 64];
            p.Retry = new RetryOptions { MaxAttempts = 5, Budget = TimeSpan.FromMinutes(10), Backoff = "1s..30s", Preset = "curl" };
            p.ReadyLogLine = "listening on";
            p.PreStartHook = new HookOptions { Command = "/bin/true", Args = ["pre"], Timeout = TimeSpan.FromSeconds(5) };
            p.PostStopHook = new HookOptions { Command = "/bin/true", Args = ["post"] };
            p.Lease = new LeaseOptions { Name = "batch", Folder = leases, HeartbeatInterval = TimeSpan.FromSeconds(2), Ttl = TimeSpan.FromSeconds(20) };
            p.Log = new LogOptions { TruncateOnStart = true, SeparateStderr = true };
        });
        var written = Read($$"""
            actors.processes.worker {
              command = "/bin/sleep", args = ["600"]
              env-file = ["app.env"], inherit-env = off
              user = nobody, group = nogroup, umask = "027"
              limits { nofile = "4096", nproc = "100:200", core = "0", memlock = 64MiB }
              nice = 5, oom-score-adjust = 500
              kind = job, transient-exit-codes = [75], permanent-exit-codes = [2, 64]
              retry { max-attempts = 5, budget = 10m, backoff = "1s..30s", preset = curl }
              ready-log-line = "listening on"
              hooks.pre-start { command = "/bin/true", args = ["pre"], timeout = 5s }
              hooks.post-stop { command = "/bin/true", args = ["post"] }
              lease { name = batch, folder = "{{leases}}", heartbeat-interval = 2s, ttl = 20s }
              log { truncate-on-start = on, stderr = separate }
            }
            """, _ => { });
        var bare = Read("actors.processes.worker { command = \"/bin/sleep\", args = [\"600\"] }", _ => { });

        Assert.True(ProcessSettingsEquality.Instance.Equals(written, typed), "the typed declaration reads differently from the HOCON one");
        Assert.False(ProcessSettingsEquality.Instance.Equals(bare, typed), "the typed options changed nothing");
    }

    [Fact]
    public void Readiness_notify_in_code_is_the_readiness_key()
    {
        var typed = Read("", o => o.AddProcess("web", "/bin/sleep", "600").Readiness = ReadinessSource.Notify);
        Assert.Equal(ReadinessSource.Notify, typed.Readiness);
    }

    [Fact]
    public async Task ScaleAsync_starts_new_copies_and_stops_the_highest_numbered_first()
    {
        await using var host = await SupervisedHost.StartAsync("", o => o.AddProcess("pool", "/bin/sleep", "600").Replicas = 2);
        await Waits.StatusAsync(host.Client, "pool-2", s => s.State == ProcessState.Running);

        var up = await host.Client.ScaleAsync("pool", 4);
        Assert.Equal(new[] { "pool-3", "pool-4" }, up.Started);
        Assert.Equal((2, 4), (up.From, up.To));
        Assert.Equal(ProcessState.Running, (await host.Client.GetStatusAsync("pool-4")).State);

        var down = await host.Client.ScaleAsync("pool", 1);
        Assert.Equal(new[] { "pool-4", "pool-3", "pool-2" }, down.Stopped);
        Assert.Equal(["pool-1"], (await host.Client.GetStatusAsync()).Select(s => s.Name));
    }

    [Fact]
    public async Task ScaleAsync_refuses_a_count_out_of_range_a_job_and_an_unknown_name_with_why()
    {
        await using var host = await SupervisedHost.StartAsync("", o =>
        {
            o.AddProcess("pool", "/bin/sleep", "600");
            o.AddProcess("batch", "/bin/true").Kind = ProcessKind.Job;
        });

        var zero = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => host.Client.ScaleAsync("pool", 0));
        Assert.Contains("StopAsync(\"pool\")", zero.Message);
        var job = await Assert.ThrowsAsync<InvalidOperationException>(() => host.Client.ScaleAsync("batch", 2));
        Assert.StartsWith("cannot scale batch: ", job.Message);
        await Assert.ThrowsAsync<UnknownProcessException>(() => host.Client.ScaleAsync("nope", 2));
    }

    [Fact]
    public async Task A_notify_process_of_a_host_gets_its_socket_in_the_state_dir_and_it_is_gone_after_the_host()
    {
        string socket;
        await using (var host = await SupervisedHost.StartAsync("", o => o.AddProcess("svc", "/bin/sleep", "600").Readiness = ReadinessSource.Notify))
        {
            var running = await Waits.StatusAsync(host.Client, "svc", s => s.State == ProcessState.Running);
            var environ = File.ReadAllText($"/proc/{running.Pid}/environ").Split('\0');
            socket = environ.Single(e => e.StartsWith("NOTIFY_SOCKET=", StringComparison.Ordinal))["NOTIFY_SOCKET=".Length..];
            Assert.StartsWith(Path.Combine(host.Folder, "state", "notify") + "/", socket);
            Assert.True(File.Exists(socket), $"{socket} is not there while the process runs");
        }
        Assert.False(File.Exists(socket), $"{socket} is left after the host stopped");
    }
}
