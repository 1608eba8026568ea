using Xunit;

namespace Actors.Integration.Tests;

/// <summary>Operator intent wins, also across a node restart; restarts never leave two instances.</summary>
public sealed class OperatorIntentSpec : RunningNodeSpec
{
    public OperatorIntentSpec()
    {
        // web writes "start PID" when it starts and "stop PID" when SIGTERM ends it, in order, to one file. First it
        // takes a lock that its whole group holds (the sleeps inherit the descriptor) and writes "overlap PID" when
        // another instance's group still holds it: two instances at once, whatever the timing of the signals.
        Node.WriteConfig($$"""
                web {
                  command = "/bin/sh"
                  args = ["-c", "exec 9>> '{{Instances}}.lock'; flock -n 9 || echo overlap $$ >> '{{Instances}}'; echo start $$ >> '{{Instances}}'; trap 'echo stop $$ >> \"{{Instances}}\"; exit 0' TERM; while true; do sleep 0.2; done"]
                }
                worker { {{ControlledNode.Sleeper}} }
            """);
    }

    private string Instances => Path.Combine(Node.Dir, "web-instances.log");

    [Fact]
    public void Stop_sticks_across_a_node_restart_until_start()
    {
        Node.AwaitState("web", "running");
        Assert.Equal(0, Node.Cli("stop", "web").Code);

        var shutdown = Node.Cli("shutdown");
        Assert.True(shutdown.Code == 0, shutdown.ToString());
        Assert.Equal(0, Node.Process!.WaitForExit(ControlledNode.Patience));

        Node.Start();
        Node.AwaitState("worker", "running");
        Node.Process!.AwaitLine("worker: running", ControlledNode.Patience); // the output is read asynchronously
        var web = Node.Status("web");
        Assert.Equal("stopped", web.GetProperty("state").GetString());
        Assert.Contains("kept across node restarts", web.GetProperty("reason").GetString());
        Assert.DoesNotContain("web: starting", Node.Process!.Output);

        var start = Node.Cli("start", "web");
        Assert.True(start.Code == 0, start.ToString());
        Assert.Matches(@"^web: running \(pid \d+\)\n$", start.Out);
    }

    [Fact]
    public async Task Restart_gives_a_new_pid_and_never_two_instances_even_when_called_many_times_at_once()
    {
        Node.AwaitState("web", "running");
        var before = Node.Pid("web");
        var calls = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Node.CliAsync("restart", "web"))).WaitAsync(ControlledNode.Patience);
        Assert.All(calls, c => Assert.True(c.Code == 0, c.ToString()));

        var after = Node.Pid("web");
        Assert.NotEqual(before, after);
        // Throughout: no instance found the lock held (the node starts the next one only once the group of the last
        // one is gone), so at no moment did two run; and each "stop" is that of the instance started just before.
        // An instance may have no "stop": a restart that comes before its shell set the trap ends it without one.
        // "running" means spawned: on a busy machine the new shell may not have written its start line yet.
        List<(string What, int Pid)> Events() => File.ReadAllLines(Instances).Select(l => l.Split(' ')).Select(p => (What: p[0], Pid: int.Parse(p[1]))).ToList();
        Poll.Until(() => Events() is [.., var last] && last == ("start", after!.Value), ControlledNode.Patience);
        var events = Events();
        var trail = string.Join(" | ", events);
        Assert.DoesNotContain(events, e => e.What == "overlap");
        Assert.True(events.Count(e => e.What == "start") >= 2, $"at least one restart: {trail}");
        for (var i = 0; i < events.Count; i++)
            if (events[i].What == "stop")
                Assert.True(i > 0 && events[i - 1] == ("start", events[i].Pid), $"event {i} should be the stop of the instance started just before; events: {trail}");
        Assert.Equal(("start", after!.Value), events[^1]);
        // And now exactly one: the shell that wrote the last start line.
        Assert.Equal([after.Value], LiveShellsWriting(Instances));
    }

    /// <summary>Live group leaders whose command line names <paramref name="file"/>: web's shells.</summary>
    private static List<int> LiveShellsWriting(string file)
    {
        var shells = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                // Other tests' processes come and go meanwhile: one that vanished between the listing and the read is skipped.
                if (Actors.Processes.ProcStat.ReadProcessGroup(pid) != pid || Actors.Processes.ProcStat.IsZombie(pid)) continue;
                if (File.ReadAllText($"/proc/{pid}/cmdline").Contains(file)) shells.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return shells;
    }

    [Fact]
    public async Task A_hundred_concurrent_cli_calls_are_all_answered_correctly()
    {
        Node.AwaitState("web", "running");
        Node.AwaitState("worker", "running");
        var calls = Enumerable.Range(0, 100).Select(i => (i % 4) switch
        {
            0 => Node.CliAsync("status", "--json"),
            1 => Node.CliAsync("status", "web", "--json"),
            2 => Node.CliAsync("start", "worker"),
            _ => Node.CliAsync("logs", "web", "-n", "1"),
        });
        var results = await Task.WhenAll(calls).WaitAsync(ControlledNode.Patience);
        for (var i = 0; i < results.Length; i++)
        {
            var result = results[i];
            Assert.True(result.Code == 0, $"call {i}: {result}");
            switch (i % 4)
            {
                case 0: Assert.Equal(2, result.Json.GetProperty("processes").GetArrayLength()); break;
                case 1: Assert.Equal("web", result.Json.GetProperty("processes")[0].GetProperty("name").GetString()); break;
                case 2: Assert.Matches(@"^worker: running \(pid \d+\)\n$", result.Out); break;
            }
        }
    }
}
