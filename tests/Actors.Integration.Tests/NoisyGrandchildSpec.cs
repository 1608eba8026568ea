using System.Text.Json;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// A main process that exits while a grandchild keeps writing into the same pipe (<c>sh -c 'yes &amp; exit 1'</c>):
/// the node's one output thread must not stay with that pipe, or no other process's exit or output is seen.
/// </summary>
public sealed class NoisyGrandchildSpec : IAsyncLifetime
{
    private static readonly TimeSpan StatusAnswer = TimeSpan.FromSeconds(10);

    private readonly ControlledNode _node = new();
    private string PidFile => Path.Combine(_node.Dir, "yes.pids");
    // Set in the noisy process's environment, so cleanup can tell our `yes` from anybody else's.
    private string Mark => $"ACTORS_TEST_MARK={_node.Dir}";

    public Task InitializeAsync()
    {
        _node.WriteConfig($$"""
                noisy {
                  command = "/bin/sh", args = ["-c", "yes & echo $! >> {{PidFile}}; exit 1"]
                  env { ACTORS_TEST_MARK = "{{_node.Dir}}" }
                  backoff { min = 200ms, max = 1s }
                  start-limit { burst = 1000 }
                  log { max-size = 1MB, keep = 1 }
                }
                slow {
                  command = "/bin/sh", args = ["-c", "sleep 1; exit 3"]
                  backoff { min = 3s, max = 3s }
                }
            """);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_process_whose_grandchild_keeps_writing_is_restarted_and_another_process_exit_is_seen_in_time()
    {
        _node.Start();

        // "slow" exits 1 s after its start; its exit is seen (backing-off) within 5 s of that start.
        var slow = await AwaitStatusAsync("slow", s => Trail(s).Any(t => t.State == "backing-off"), "reached backing-off");
        var slowTrail = Trail(slow);
        var startedAt = slowTrail.First(t => t.State == "starting").At;
        var backingOffAt = slowTrail.First(t => t.State == "backing-off").At;
        Assert.InRange(backingOffAt - startedAt, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));

        // "noisy" is restarted: its exits are seen although its `yes` wrote on, and each run has its own pid.
        var noisy = await AwaitStatusAsync("noisy", s => s.GetProperty("restarts").GetInt32() >= 2, "was restarted twice");
        var pids = Trail(noisy).Where(t => t.State == "running").Select(t => t.Reason).Distinct().ToList();
        Assert.True(pids.Count >= 2, $"expected runs with different pids, trail: {noisy}");
        // A run ends only once its group is gone: the `yes` of every run before the newest was stopped with it.
        var earlierYes = File.ReadAllLines(PidFile).Select(int.Parse).SkipLast(1).ToList();
        Assert.NotEmpty(earlierYes);
        Assert.All(earlierYes, pid => Assert.False(IsOurYes(pid), $"yes {pid} outlived the restart of its process"));

        // Node shutdown stops what was left of every group: no `yes` survives.
        var shutdown = await _node.CliAsync("shutdown");
        Assert.True(shutdown.Code == 0, shutdown.ToString());
        _node.Process!.WaitForExit(ControlledNode.Patience);
        var yesPids = File.ReadAllLines(PidFile).Select(int.Parse).ToList();
        Assert.NotEmpty(yesPids);
        Assert.All(yesPids, pid => Assert.False(IsOurYes(pid), $"yes {pid} outlived the node"));
    }

    /// <summary>Polls <c>status NAME</c>; every call must answer within <see cref="StatusAnswer"/>.</summary>
    private async Task<JsonElement> AwaitStatusAsync(string name, Func<JsonElement, bool> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        JsonElement last = default;
        while (clock.Elapsed < ControlledNode.Patience)
        {
            var call = _node.CliAsync("status", name, "--json");
            if (await Task.WhenAny(call, Task.Delay(StatusAnswer)) != call)
                Assert.Fail($"status {name} did not answer within {StatusAnswer}");
            var result = await call;
            Assert.True(result.Code == 0, result.ToString());
            last = result.Json.GetProperty("processes")[0];
            if (condition(last)) return last;
            _node.Process!.AwaitNextLine(TimeSpan.FromMilliseconds(100));
        }
        throw new TimeoutException($"{name} never {what}; last status: {last}\nnode output:\n{_node.Process?.Output}");
    }

    private static List<(string State, DateTimeOffset At, string Reason)> Trail(JsonElement status) =>
        status.GetProperty("trail").EnumerateArray()
            .Select(t => (t.GetProperty("state").GetString()!, DateTimeOffset.Parse(t.GetProperty("at").GetString()!),
                t.GetProperty("reason").GetString()!))
            .ToList();

    /// <summary>A live `yes` that carries this test's mark in its environment: only those are ours to kill.</summary>
    private bool IsOurYes(int pid)
    {
        try
        {
            if (File.ReadAllText($"/proc/{pid}/comm").Trim() != "yes") return false;
            if (File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z')) return false;
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0').Contains(Mark);
        }
        catch (IOException)
        {
            return false; // gone meanwhile
        }
    }

    public Task DisposeAsync()
    {
        try
        {
            if (_node.Process is { HasExited: false })
            {
                _node.Cli("shutdown");
                try { _node.Process.WaitForExit(ControlledNode.Patience); } catch (TimeoutException) { }
            }
            // A failed test may leave a `yes` whose group the node never stopped: it must not spin on.
            if (File.Exists(PidFile))
                foreach (var pid in File.ReadAllLines(PidFile).Select(int.Parse).Where(IsOurYes))
                    System.Diagnostics.Process.GetProcessById(pid).Kill();
        }
        finally
        {
            _node.Dispose();
        }
        return Task.CompletedTask;
    }
}
