using Xunit;

namespace Actors.Integration.Tests;

/// <summary>env-file and inherit-env with the real node: what a process gets, and when an edited file takes effect.</summary>
public sealed class EnvFileSpec : IAsyncLifetime, IDisposable
{
    private readonly ControlledNode _node = new();
    private string EnvFile => Path.Combine(_node.Dir, "app.env");
    private string ProbeEnvFile => Path.Combine(_node.Dir, "probe.env");

    public EnvFileSpec()
    {
        File.WriteAllText(EnvFile, "# the app's settings\nexport MODE=first\nGREETING=\"hello ${USER_NAME:-world}\"\nOVERRIDDEN=from-file\n");
        _node.WriteConfig($$"""
                web { {{ControlledNode.Sleeper}}, env-file = "app.env", env { OVERRIDDEN = from-env } }
                bare { {{ControlledNode.Sleeper}}, env-file = ["app.env"], inherit-env = off }
                probed {
                  {{ControlledNode.Sleeper}}, env-file = ["app.env"], inherit-env = off
                  probes.readiness { type = exec, command = "/bin/sh", args = ["-c", "env > {{ProbeEnvFile}}.tmp && mv {{ProbeEnvFile}}.tmp {{ProbeEnvFile}}"], period = 200ms }
                }
            """);
    }

    public Task InitializeAsync()
    {
        _node.Start(new Dictionary<string, string> { ["NODE_ONLY"] = "yes" });
        _node.AwaitState("web", "running");
        _node.AwaitState("bare", "running");
        _node.AwaitState("probed", "ready"); // readiness: the probe ran and passed
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _node.Dispose();

    private static Dictionary<string, string> EnvironOf(int pid) =>
        File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(e => e[..e.IndexOf('=')], e => e[(e.IndexOf('=') + 1)..]);

    [Fact]
    public void A_process_gets_the_file_values_under_its_env_and_over_the_node_environment()
    {
        var env = EnvironOf(_node.Pid("web")!.Value);

        Assert.Equal("first", env["MODE"]);
        Assert.Equal("hello world", env["GREETING"]);
        Assert.Equal("from-env", env["OVERRIDDEN"]);
        Assert.Equal("yes", env["NODE_ONLY"]);
    }

    [Fact]
    public void With_inherit_env_off_a_process_gets_only_path_the_node_variables_and_its_files()
    {
        var env = EnvironOf(_node.Pid("bare")!.Value);

        Assert.Equal(["ACTORS_NODE", "ACTORS_PROCESS", "ACTORS_REPLICA", "ACTORS_REPLICAS", "ACTORS_RUN", "GREETING", "MODE", "OVERRIDDEN", "PATH"], env.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_exec_probe_of_a_process_with_inherit_env_off_runs_with_that_process_environment_not_the_node_one()
    {
        var pid = _node.Pid("probed")!.Value;
        Assert.True(SpinWait.SpinUntil(() => File.Exists(ProbeEnvFile), ControlledNode.Patience), "the probe never ran");
        var env = File.ReadAllLines(ProbeEnvFile).Where(l => l.Contains('='))
            .ToDictionary(e => e[..e.IndexOf('=')], e => e[(e.IndexOf('=') + 1)..]);

        Assert.False(env.ContainsKey("NODE_ONLY"), "the probe got the node's own variable");
        Assert.Equal("first", env["MODE"]);
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), env["ACTORS_PID"]);
        Assert.Equal("probed", env["ACTORS_PROCESS"]);
    }

    [Fact]
    public void An_edited_file_takes_effect_at_the_next_restart_and_a_broken_one_fails_the_start_naming_its_line()
    {
        File.WriteAllText(EnvFile, "MODE=second\n");
        var restart = _node.Cli("restart", "web");
        Assert.True(restart.Code == 0, restart.ToString());
        Assert.Equal("second", EnvironOf(_node.Pid("web")!.Value)["MODE"]);

        File.WriteAllText(EnvFile, "MODE=third\nBROKEN='open\n");
        _node.Cli("restart", "web");

        var status = _node.AwaitStatus("web", s => s.GetProperty("reason").GetString()?.Contains($"env-file {EnvFile}:2:") == true, "failed to start for the broken file");
        Assert.Contains("the single quote opened here is never closed", status.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Check_config_reports_a_broken_file_at_its_line_and_the_key()
    {
        File.WriteAllText(EnvFile, "MODE=x\n\n1BAD=2\n");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        var code = await global::Actors.Node.Cli.RunAsync(["check-config", _node.ConfigPath], stdout, stderr);

        Assert.Equal(2, code);
        Assert.Contains($"{EnvFile}:3: actors.processes.web.env-file: \"1BAD\" is not a valid variable name", stdout.ToString() + stderr);
    }
}
