using System.Text.Json;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// replicas, scale and autostart with a real node and real processes: each copy knows which it is, logs to its own
/// file, can be addressed alone or with its siblings, and the count changes at run time.
/// </summary>
public sealed class ReplicasSpec : RunningNodeSpec
{
    public ReplicasSpec()
    {
        // Each copy says which it is, then runs until stopped.
        Node.WriteConfig("""
                web {
                  command = "/bin/sh"
                  args = ["-c", "echo replica $ACTORS_REPLICA of $ACTORS_REPLICAS; while true; do sleep 0.2; done"]
                  replicas = 3
                }
                api {
                  command = "/bin/sh", args = ["-c", "echo api up; while true; do sleep 0.2; done"]
                  depends-on { web = started }
                }
                later {
                  command = "/bin/sh", args = ["-c", "while true; do sleep 0.2; done"]
                  autostart = off
                }
                once { command = "/bin/true", kind = job }
            """);
    }

    private List<string> Names(string? name = null)
    {
        var result = name is null ? Node.Cli("status", "--json") : Node.Cli("status", name, "--json");
        Assert.True(result.Code == 0, result.ToString());
        return result.Json.GetProperty("processes").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToList();
    }

    [Fact]
    public void Three_replicas_each_print_their_own_number_into_their_own_log_and_status_shows_which_copy_is_which()
    {
        foreach (var i in new[] { 1, 2, 3 })
            Node.AwaitOutput($"web-{i}", $"replica {i} of 3");
        Assert.Equal(["web-1", "web-2", "web-3", "api", "later", "once"], Names());
        Assert.Equal(["web-1", "web-2", "web-3"], Names("web"));
        var web2 = Node.Status("web-2");
        Assert.Equal(("web", 2, 3), (web2.GetProperty("replica").GetProperty("of").GetString(), web2.GetProperty("replica").GetProperty("index").GetInt32(),
            web2.GetProperty("replica").GetProperty("count").GetInt32()));
        Node.AwaitState("api", "running");
        var log = Path.Combine(Node.Dir, ".actors", "logs", "web-2.log");
        Assert.True(Poll.Until(() => File.Exists(log) && File.ReadAllText(log).Contains("replica 2 of 3"), ControlledNode.Patience), log);
        Assert.DoesNotContain("replica 1", File.ReadAllText(log));

        var table = Node.Cli("status", "web-2");
        Assert.Contains("web-2 (replica 2 of 3 of web)", table.Out);
    }

    [Fact]
    public void Stop_of_one_copy_leaves_its_siblings_running_and_start_of_the_name_starts_every_copy()
    {
        Node.AwaitState("web-3", "running");
        var stop = Node.Cli("stop", "web-2");
        Assert.True(stop.Code == 0, stop.ToString());
        Assert.Equal("web-2: stopped\n", stop.Out);
        Assert.Equal("running", Node.State("web-1"));
        Assert.Equal("running", Node.State("web-3"));
        Assert.Equal("stopped", Node.State("web-2"));

        var start = Node.Cli("start", "web");
        Assert.True(start.Code == 0, start.ToString());
        Assert.Matches(@"^web-1: running \(pid \d+\)\nweb-2: running \(pid \d+\)\nweb-3: running \(pid \d+\)\n$", start.Out);
    }

    [Fact]
    public void Scale_3_to_5_starts_web_4_and_web_5_and_5_to_2_stops_the_three_highest()
    {
        Node.AwaitState("web-3", "running");
        var pid1 = Node.Pid("web-1");

        var up = Node.Cli("scale", "web", "5");
        Assert.True(up.Code == 0, up.ToString());
        Assert.Equal("web: 3 -> 5 replica(s); started web-4, web-5\n", up.Out);
        Node.AwaitOutput("web-5", "replica 5 of 5");
        Assert.Equal(["web-1", "web-2", "web-3", "web-4", "web-5"], Names("web"));

        var down = Node.Cli("scale", "web", "2");
        Assert.True(down.Code == 0, down.ToString());
        Assert.Equal("web: 5 -> 2 replica(s); stopped web-5, web-4, web-3\n", down.Out);
        Assert.Equal(["web-1", "web-2"], Names("web"));
        Assert.Equal(pid1, Node.Pid("web-1"));
        // The node's output is read asynchronously: wait for the last line compared.
        Node.Process!.AwaitLine("web-3: stopped", ControlledNode.Patience);
        var output = Node.Process.Output;
        Assert.True(output.IndexOf("web-5: stopped", StringComparison.Ordinal) < output.IndexOf("web-4: stopping", StringComparison.Ordinal), output);
        Assert.True(output.IndexOf("web-4: stopped", StringComparison.Ordinal) < output.IndexOf("web-3: stopping", StringComparison.Ordinal), output);
    }

    [Fact]
    public void Scale_refuses_0_with_a_line_about_stop_an_unknown_name_with_exit_4_and_a_job_saying_why()
    {
        var zero = Node.Cli("scale", "web", "0");
        Assert.Equal(64, zero.Code);
        Assert.Contains("use 'actors stop web'", zero.Err);

        var unknown = Node.Cli("scale", "nope", "2");
        Assert.Equal(4, unknown.Code);
        Assert.Contains("no process named nope", unknown.Err);

        var job = Node.Cli("scale", "once", "2");
        Assert.Equal(1, job.Code);
        Assert.Contains("cannot scale once: once is a job", job.Err);
        Assert.Equal(3, Names("web").Count);
    }

    [Fact]
    public void A_reload_that_changes_replicas_from_3_to_4_starts_web_4_and_leaves_the_others_running()
    {
        Node.AwaitOutput("web-3", "replica 3 of 3");
        var pids = new[] { "web-1", "web-2", "web-3" }.Select(Node.Pid).ToList();
        File.WriteAllText(Node.ConfigPath, File.ReadAllText(Node.ConfigPath).Replace("replicas = 3", "replicas = 4"));

        var reload = Node.Cli("reload");

        Assert.True(reload.Code == 0, reload.ToString());
        Assert.Contains("added: web-4\n", reload.Out);
        Node.AwaitOutput("web-4", "replica 4 of 4");
        Assert.Equal(pids, new[] { "web-1", "web-2", "web-3" }.Select(Node.Pid));
    }

    [Fact]
    public async Task Check_config_names_both_processes_when_a_declared_name_is_a_replica_name_and_refuses_a_shared_log_file()
    {
        var config = Path.Combine(Node.Dir, "bad.conf");
        File.WriteAllText(config, """
            actors.processes {
              web { command = "/bin/sh", replicas = 2, log.file = "shared.log" }
              web-2 { command = "/bin/sh" }
            }
            """);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        var code = await global::Actors.Node.Cli.RunAsync(["check-config", config], stdout, stderr);

        Assert.Equal(2, code);
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith($"{config}:2: actors.processes.web.replicas: replica web-2 of web has the name of the declared process web-2"));
        Assert.Contains(lines, l => l.StartsWith($"{config}:2: actors.processes.web.log.file: ") && l.Contains("cannot be shared by the 2 replicas of web"));
    }

    [Fact]
    public void A_process_with_autostart_off_waits_stopped_saying_why_until_started()
    {
        Node.AwaitState("api", "running");
        var later = Node.Status("later");
        Assert.Equal("stopped", later.GetProperty("state").GetString());
        Assert.Equal("autostart is off; start it with 'actors start later'", later.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, later.GetProperty("pid").ValueKind);

        var start = Node.Cli("start", "later");
        Assert.True(start.Code == 0, start.ToString());
        Assert.Matches(@"^later: running \(pid \d+\)\n$", start.Out);
    }
}
