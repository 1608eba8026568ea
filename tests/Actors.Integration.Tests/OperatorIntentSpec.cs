using Xunit;

namespace Actors.Integration.Tests;

/// <summary>Operator intent wins, also across a node restart; restarts never leave two instances.</summary>
public sealed class OperatorIntentSpec : IAsyncLifetime, IDisposable
{
    private readonly ControlledNode _node = new();

    public OperatorIntentSpec()
    {
        // web writes "start PID" when it starts and "stop PID" when SIGTERM ends it, in order, to one file.
        _node.WriteConfig($$"""
                web {
                  command = "/bin/sh"
                  args = ["-c", "echo start $$ >> '{{Instances}}'; trap 'echo stop $$ >> \"{{Instances}}\"; exit 0' TERM; while true; do sleep 0.2; done"]
                }
                worker { {{ControlledNode.Sleeper}} }
            """);
    }

    private string Instances => Path.Combine(_node.Dir, "web-instances.log");

    // Started here, not in the constructor: xunit disposes the instance (Dispose) even when this fails, but not
    // an instance whose constructor threw, which would leave the node running.
    public Task InitializeAsync()
    {
        _node.Start();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _node.Dispose();

    [Fact]
    public void Stop_sticks_across_a_node_restart_until_start()
    {
        _node.AwaitState("web", "running");
        Assert.Equal(0, _node.Cli("stop", "web").Code);

        var shutdown = _node.Cli("shutdown");
        Assert.True(shutdown.Code == 0, shutdown.ToString());
        Assert.Equal(0, _node.Process!.WaitForExit(ControlledNode.Patience));

        _node.Start();
        _node.AwaitState("worker", "running");
        var web = _node.Status("web");
        Assert.Equal("stopped", web.GetProperty("state").GetString());
        Assert.Contains("kept across node restarts", web.GetProperty("reason").GetString());
        Assert.DoesNotContain("web: starting", _node.Process!.Output);

        var start = _node.Cli("start", "web");
        Assert.True(start.Code == 0, start.ToString());
        Assert.Matches(@"^web: running \(pid \d+\)\n$", start.Out);
    }

    [Fact]
    public async Task Restart_gives_a_new_pid_and_never_two_instances_even_when_called_many_times_at_once()
    {
        _node.AwaitState("web", "running");
        var before = _node.Pid("web");
        var calls = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _node.CliAsync("restart", "web"))).WaitAsync(ControlledNode.Patience);
        Assert.All(calls, c => Assert.True(c.Code == 0, c.ToString()));

        var after = _node.Pid("web");
        Assert.NotEqual(before, after);
        // Throughout: each instance said "stop" before the next said "start" (the node starts the next one only
        // once the group of the last one is gone), so at no moment did two run.
        // "running" means spawned: on a busy machine the new shell may not have written its start line yet.
        List<(string What, int Pid)> Events() => File.ReadAllLines(Instances).Select(l => l.Split(' ')).Select(p => (What: p[0], Pid: int.Parse(p[1]))).ToList();
        Poll.Until(() => Events() is [.., var last] && last == ("start", after!.Value), ControlledNode.Patience);
        var events = Events();
        Assert.True(events.Count >= 3, $"at least one restart: {string.Join(" | ", events)}");
        for (var i = 0; i < events.Count; i++)
        {
            var expected = i % 2 == 0 ? "start" : "stop";
            Assert.True(events[i].What == expected && (i % 2 == 0 || events[i].Pid == events[i - 1].Pid),
                $"event {i} should be the {expected} of the instance before; events: {string.Join(" | ", events)}");
        }
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
        _node.AwaitState("web", "running");
        _node.AwaitState("worker", "running");
        var calls = Enumerable.Range(0, 100).Select(i => (i % 4) switch
        {
            0 => _node.CliAsync("status", "--json"),
            1 => _node.CliAsync("status", "web", "--json"),
            2 => _node.CliAsync("start", "worker"),
            _ => _node.CliAsync("logs", "web", "-n", "1"),
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
