using Xunit;

namespace Actors.Integration.Tests;

/// <summary>Operator intent wins, also across a node restart; restarts never leave two instances.</summary>
public sealed class OperatorIntentSpec : IDisposable
{
    private readonly ControlledNode _node = new();

    public OperatorIntentSpec()
    {
        _node.WriteConfig($$"""
                web { {{ControlledNode.Sleeper}} }
                worker { {{ControlledNode.Sleeper}} }
            """);
        _node.Start();
    }

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
    public async Task Restart_gives_a_new_pid_and_exactly_one_instance_even_when_called_many_times_at_once()
    {
        _node.AwaitState("web", "running");
        var before = _node.Pid("web");
        var calls = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _node.CliAsync("restart", "web"))).WaitAsync(ControlledNode.Patience);
        Assert.All(calls, c => Assert.True(c.Code == 0, c.ToString()));

        var after = _node.Pid("web");
        Assert.NotEqual(before, after);
        // Exactly one shell of web's config runs: its group is the only one left.
        var shells = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit))
            .Select(n => int.Parse(n!)).Where(pid => Actors.Processes.ProcStat.ReadProcessGroup(pid) == pid && !Actors.Processes.ProcStat.IsZombie(pid))
            .Where(pid => ParentOf(pid) == _node.Process!.Pid && File.ReadAllText($"/proc/{pid}/cmdline").Contains("while true")).ToList();
        Assert.Equal(2, shells.Count); // web and worker
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

    private static int ParentOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
    }
}
