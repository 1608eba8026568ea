using System.Diagnostics;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>user, umask, limits, nice and oom-score-adjust on a real process of the real node (the tests run as root; nobody is uid 65534).</summary>
public sealed class ExecShimSpec : IAsyncLifetime, IDisposable
{
    private readonly ControlledNode _node = new();

    public ExecShimSpec()
    {
        const string script = "echo uid=$(id -u) gid=$(id -g) groups=$(id -G); echo nofile=$(ulimit -Sn):$(ulimit -Hn); echo umask=$(umask); echo home=$HOME user=$USER; echo ALLSET; while true; do sleep 0.2; done";
        _node.WriteConfig($$"""
                web {
                  command = "/bin/sh", args = ["-c", "{{script}}"]
                  user = nobody, umask = "027", limits { nofile = "100:200" }, nice = 7, oom-score-adjust = 321
                }
                plain { {{ControlledNode.Sleeper}} }
                probed {
                  {{ControlledNode.Sleeper}}, user = nobody
                  probes.readiness { type = exec, command = "/bin/sh", args = ["-c", "test $(id -u) = 65534"], period = 1s }
                }
            """);
    }

    public Task InitializeAsync()
    {
        _node.Start();
        _node.AwaitState("web", "running");
        _node.AwaitState("plain", "running");
        _node.AwaitOutput("web", "ALLSET");
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _node.Dispose();

    [Fact]
    public void A_process_runs_as_the_user_with_its_umask_and_limits_and_says_so_in_its_log()
    {
        var log = _node.Cli("logs", "web", "-n", "100").Out;

        Assert.Contains("uid=65534 gid=65534 groups=65534", log);
        Assert.Contains("nofile=100:200", log);
        Assert.Contains("umask=0027", log);
        Assert.Contains("home=/nonexistent user=nobody", log);
    }

    [Fact]
    public void Its_nice_and_oom_score_adjust_are_set_and_the_program_is_the_command_itself()
    {
        var pid = _node.Pid("web")!.Value;

        // /proc/PID/stat: field 19 is nice, counted as field 3 the one after the last ')'.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.Equal("7", fields[19 - 3]);
        Assert.Equal("321", File.ReadAllText($"/proc/{pid}/oom_score_adj").Trim());
        // The shim exec'ed the command: the pid the node watches is sh itself, with its argv untouched.
        Assert.StartsWith("/bin/sh\0-c\0", File.ReadAllText($"/proc/{pid}/cmdline"));
    }

    [Fact]
    public void Its_log_file_still_belongs_to_the_node_and_a_process_without_these_keys_runs_as_the_node()
    {
        var logFile = Path.Combine(_node.Dir, ".actors", "logs", "web.log");
        var owner = Process.Start(new ProcessStartInfo("stat", ["-c", "%u", logFile]) { RedirectStandardOutput = true })!;
        var uid = owner.StandardOutput.ReadToEnd().Trim();
        owner.WaitForExit();

        Assert.Equal("0", uid);
        var plain = File.ReadAllLines($"/proc/{_node.Pid("plain")!.Value}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        Assert.StartsWith("Uid:\t0\t", plain);
    }

    [Fact]
    public void An_exec_probe_runs_as_the_process_user()
    {
        var ready = _node.AwaitState("probed", "ready");

        Assert.Contains("exit code 0", ready.GetProperty("probes")[0].GetProperty("last-check").GetString());
    }

    [Fact]
    public void Status_shows_who_the_process_runs_as_and_within_what()
    {
        var text = _node.Cli("status", "web");
        var json = _node.Status("web").GetProperty("exec");

        Assert.True(text.Out.Contains("runs with: user nobody (uid 65534), group nogroup (gid 65534), umask 027, nofile 100:200, nice 7, oom-score-adjust 321"), text.ToString());
        Assert.Equal("nobody", json.GetProperty("user").GetString());
        Assert.Equal("100:200", json.GetProperty("limits").GetProperty("nofile").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, _node.Status("plain").GetProperty("exec").ValueKind);
    }
}
