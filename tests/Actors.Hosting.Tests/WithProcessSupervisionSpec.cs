using Actors.Supervision;
using Xunit;

namespace Actors.Hosting.Tests;

public sealed class WithProcessSupervisionSpec
{
    private const string Sleeper = """
        actors.processes.sleeper { command = "/bin/sleep", args = ["600"] }
        """;

    [Fact]
    public async Task Invalid_hocon_fails_StartAsync_listing_every_key_and_starts_nothing()
    {
        await using var host = SupervisedHost.Build("""
            actors.processes {
              web { command = "/bin/sh", args = ["-c", "touch started"], backoff.min = "soon" }
              worker { command = "/bin/sleep", args = ["600"], restrat = always }
            }
            """);
        var error = await Assert.ThrowsAsync<ProcessSupervisionConfigException>(() => host.StartHostAsync());
        Assert.Contains("actors.processes.web.backoff.min", error.Message);
        Assert.Contains("actors.processes.worker.restrat", error.Message);
        Assert.Equal(2, error.Problems.Count);
        Assert.False(File.Exists(Path.Combine(host.Folder, "started")));
        Assert.False(Directory.Exists(Path.Combine(host.Folder, "logs")));
    }

    [Fact]
    public async Task A_process_declared_in_hocon_and_in_options_is_an_error_naming_it()
    {
        await using var host = SupervisedHost.Build(Sleeper, o => o.AddProcess("sleeper", "/bin/sleep", "1"));
        var error = await Assert.ThrowsAsync<ProcessSupervisionConfigException>(() => host.StartHostAsync());
        Assert.Contains("actors.processes.sleeper: declared twice", error.Message);
    }

    [Fact]
    public async Task Invalid_typed_options_fail_StartAsync_with_the_same_key_paths()
    {
        await using var host = SupervisedHost.Build("", o =>
        {
            var p = o.AddProcess("worker", "/bin/sleep", "600");
            p.Backoff = new BackoffOptions { Min = TimeSpan.FromSeconds(5), Max = TimeSpan.FromSeconds(1) };
            p.StartLimit = new StartLimitOptions { Burst = -1 };
        });
        var error = await Assert.ThrowsAsync<ProcessSupervisionConfigException>(() => host.StartHostAsync());
        Assert.Contains("actors.processes.worker.start-limit.burst", error.Message);
        Assert.Contains("actors.processes.worker.backoff", error.Message);
    }

    [Fact]
    public async Task Processes_declared_in_code_run_with_the_hocon_ones()
    {
        await using var host = await SupervisedHost.StartAsync(Sleeper, o =>
        {
            var p = o.AddProcess("typed", "/bin/sleep", "600");
            p.Env = new Dictionary<string, string> { ["GREETING"] = "hello" };
            p.Stop = new StopOptions { Timeout = TimeSpan.FromSeconds(5) };
        });
        var typed = await Waits.StatusAsync(host.Client, "typed", s => s.State == ProcessState.Running);
        Assert.NotNull(typed.Pid);
        var all = await host.Client.GetStatusAsync();
        Assert.Equal(["sleeper", "typed"], all.Select(s => s.Name).Order());
    }

    [Fact]
    public async Task Replicas_and_autostart_declared_in_code_run_two_copies_and_hold_one_until_started()
    {
        await using var host = await SupervisedHost.StartAsync("", o =>
        {
            o.AddProcess("pool", "/bin/sleep", "600").Replicas = 2;
            o.AddProcess("manual", "/bin/sleep", "600").Autostart = false;
        });
        await Waits.StatusAsync(host.Client, "pool-2", s => s.State == ProcessState.Running);
        Assert.Equal(["pool-1", "pool-2"], (await host.Client.GetStatusAsync()).Where(s => s.Name.StartsWith("pool")).Select(s => s.Name));
        var manual = await host.Client.GetStatusAsync("manual");
        Assert.Equal(ProcessState.Stopped, manual.State);
        Assert.StartsWith("autostart is off", manual.Reason);
        Assert.Equal(ProcessState.Running, (await host.Client.StartAsync("manual")).State);
    }

    [Fact]
    public async Task The_client_before_the_host_started_throws_InvalidOperationException()
    {
        await using var host = SupervisedHost.Build(Sleeper);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.Client.GetStatusAsync().WaitAsync(Waits.Bound));
        Assert.Contains("has not started", error.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.Client.StartAsync("sleeper").WaitAsync(Waits.Bound));
    }

    [Fact]
    public async Task An_unknown_name_throws_at_once_listing_the_known_ones()
    {
        await using var host = await SupervisedHost.StartAsync(Sleeper, o => o.AddProcess("other", "/bin/sleep", "600"));
        // The bound only keeps a broken build from hanging; an answer that waited for a timeout would take 30 s or more.
        var error = await Assert.ThrowsAsync<UnknownProcessException>(() => host.Client.RestartAsync("nope").WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(["nope"], error.Unknown);
        Assert.Equal(["other", "sleeper"], error.Known.Order());
        Assert.Contains("known: ", error.Message);
        await Assert.ThrowsAsync<UnknownProcessException>(() => host.Client.GetStatusAsync("nope").WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task WatchAsync_yields_a_crash_as_backing_off_with_its_reason()
    {
        await using var host = await SupervisedHost.StartAsync("""
            actors.processes.crasher { command = "/bin/sh", args = ["-c", "exit 3"], backoff { min = 1s, max = 1s } }
            """);
        using var bound = new CancellationTokenSource(Waits.Bound);
        ProcessTransition? backingOff = null;
        await foreach (var t in host.Client.WatchAsync(bound.Token))
        {
            if (t.Name == "crasher" && t.State == ProcessState.BackingOff)
            {
                backingOff = t;
                break;
            }
        }
        Assert.NotNull(backingOff);
        Assert.Contains("code 3", backingOff.Reason);
        Assert.True(backingOff.At > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task Start_stop_restart_and_signal_through_the_client()
    {
        await using var host = await SupervisedHost.StartAsync(Sleeper);
        var first = await Waits.StatusAsync(host.Client, "sleeper", s => s.State == ProcessState.Running);
        await host.Client.StopAsync("sleeper");
        Assert.Equal(ProcessState.Stopped, (await host.Client.GetStatusAsync("sleeper")).State);
        var started = await host.Client.StartAsync("sleeper");
        Assert.Equal(ProcessState.Running, started.State);
        Assert.NotEqual(first.Pid, started.Pid);
        var restarted = await host.Client.RestartAsync("sleeper");
        Assert.NotEqual(started.Pid, restarted.Pid);
        await host.Client.SignalAsync("sleeper", "KILL");
        var after = await Waits.StatusAsync(host.Client, "sleeper", s => s.LastExit?.Signal == 9);
        Assert.NotNull(after.LastExit);
        await Assert.ThrowsAsync<ArgumentException>(() => host.Client.SignalAsync("sleeper", "NOPE"));
    }

    [Fact]
    public async Task Host_StopAsync_stops_a_process_by_TERM_and_waits_for_its_trap()
    {
        var marker = "trap-done";
        // The trap takes a second and then leaves a marker: the host's stop must wait for it, not KILL it.
        await using var host = await SupervisedHost.StartAsync($$"""
            actors.processes.graceful {
              command = "/bin/sh"
              args = ["-c", "trap 'sleep 1; touch {{marker}}; exit 0' TERM; touch trap-set; while true; do sleep 0.1; done"]
              stop.timeout = 30s
            }
            """);
        var running = await Waits.StatusAsync(host.Client, "graceful", s => s.State == ProcessState.Running);
        var pid = running.Pid!.Value;
        // Running means spawned, not that the shell has read its trap yet: a TERM before that ends it at once.
        Assert.True(SpinWait.SpinUntil(() => File.Exists(Path.Combine(host.Folder, "trap-set")), Waits.Bound), "the shell never set its trap");
        await host.Host.StopAsync().WaitAsync(Waits.Bound);
        Assert.True(File.Exists(Path.Combine(host.Folder, marker)), "the TERM trap did not finish: the process was killed");
        Assert.False(Directory.Exists($"/proc/{pid}") && !IsZombie(pid), $"pid {pid} still runs after the host stopped");
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }
}
