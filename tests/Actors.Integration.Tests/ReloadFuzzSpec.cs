using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Actors.Configuration;
using Actors.Core.Tests.Configuration;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Integration.Tests;

/// <summary>
/// Broken files sent to a live node with <c>actors reload</c>: a file nested 100,000 deep (it used to overflow the
/// node's stack, which kills the node), a list Akka's parser spins on (it used to leave a spinning thread behind
/// each time), a huge file, a substitution loop, and a few hundred mutated real files.
/// </summary>
public sealed class ReloadFuzzSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);
    private const int MutatedFiles = 200;
    private readonly ControlledNode _node = new();
    private string _sleeperConfig = "";
    private bool _disposed;

    public Task InitializeAsync()
    {
        _sleeperConfig = $"actors {{\n  processes {{\n    keep {{ {ControlledNode.Sleeper} }}\n  }}\n}}\n";
        File.WriteAllText(_node.ConfigPath, _sleeperConfig);
        try
        {
            _node.Start();
            _node.AwaitState("keep", "running");
        }
        catch
        {
            // A node whose start-up failed here once outlived the run (no DisposeAsync came): stop it now.
            DisposeAsync();
            throw;
        }
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        if (!_disposed)
            _node.Dispose();
        _disposed = true;
        return Task.CompletedTask;
    }

    private static IEnumerable<(string Name, byte[] Bytes)> Pathological()
    {
        yield return ("a list Akka's parser spins on", "actors.processes.keep { command = sh, args = [ ! ] }\n"u8.ToArray());
        const int deep = 100_000;
        yield return ("nested 100,000 deep", Encoding.UTF8.GetBytes("actors.processes.keep {\n  x = " +
            new StringBuilder().Insert(0, "{ k = ", deep) + "1" + new StringBuilder().Insert(0, " }", deep) + "\n}\n"));
        yield return ("a substitution loop", "actors.node { state-dir = ${actors.node.log-dir}, log-dir = ${actors.node.state-dir} }\n"u8.ToArray());
        yield return ("a 20 MB file", Encoding.UTF8.GetBytes("actors.processes.keep.description = \"" + new string('x', 20_000_000) + "\"\n"));
    }

    [Fact]
    public async Task Every_broken_file_is_rejected_within_2s_with_file_and_line_and_the_node_its_process_stay_and_no_thread_keeps_spinning()
    {
        var nodePid = _node.Process!.Pid;
        var keep = _node.Pid("keep");
        var threadsBefore = Threads(nodePid);
        var mutator = new ConfigMutator(TestPaths.RepositoryRoot);
        // Only files the loader rejects: a valid mutation would rightly change what the node runs.
        var files = Pathological().ToList();
        for (var n = 1_000_000; files.Count < MutatedFiles + 4; n++)
        {
            var (bytes, how) = mutator.Case(n);
            File.WriteAllBytes(_node.ConfigPath, bytes);
            if (!ConfigLoader.LoadFile(_node.ConfigPath).IsValid)
                files.Add(($"case {n} ({how})", bytes));
        }

        var failures = new List<string>();
        var costliest = TimeSpan.Zero;
        var located = new Regex("^" + Regex.Escape(_node.ConfigPath) + @":\d+: ");
        foreach (var (name, bytes) in files)
        {
            File.WriteAllBytes(_node.ConfigPath, bytes);
            var cpu = NodeCpu(nodePid);
            var clock = Stopwatch.StartNew();
            CliResult reload;
            try
            {
                reload = await _node.CliAsync("reload", "--json").WaitAsync(Hang);
            }
            catch (TimeoutException)
            {
                failures.Add($"{name}: no answer after {Hang}");
                break;
            }
            // The node's own CPU time during the call bounds its cost on a busy machine (see Cost in the core tests).
            var cost = TimeSpan.FromTicks(Math.Min(clock.Elapsed.Ticks, (NodeCpu(nodePid) - cpu).Ticks));
            if (cost > costliest) costliest = cost;
            if (cost > Answer)
                failures.Add($"{name}: cost {cost.TotalSeconds:0.00}s (wall {clock.Elapsed.TotalSeconds:0.00}s)");
            if (reload.Code != 2)
            {
                failures.Add($"{name}: {reload}");
                continue;
            }
            var problems = JsonDocument.Parse(reload.Out).RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!).ToList();
            if (problems.Count == 0)
                failures.Add($"{name}: rejected without a problem");
            failures.AddRange(problems.Where(p => !located.IsMatch(p)).Select(p => $"{name}: a problem without its file and line: {p[..Math.Min(p.Length, 300)]}"));
            if (_node.Process.HasExited)
            {
                failures.Add($"{name}: the node exited\n{_node.Process.Output}");
                break;
            }
        }

        File.WriteAllText(_node.ConfigPath, _sleeperConfig);
        var threadsAfter = Threads(nodePid);
        var spinning = Spinning(nodePid);
        output.WriteLine($"{files.Count} files; costliest reload {costliest.TotalMilliseconds:0}ms; node threads {threadsBefore} before, {threadsAfter} after");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)));
        Assert.False(_node.Process.HasExited);
        Assert.Equal(keep, _node.Pid("keep"));
        // A parse abandoned to a deadline used to leave a thread spinning for good, one per such file.
        Assert.True(spinning.Count == 0, $"threads of the node busy in every sample: {string.Join(", ", spinning)}");
        // The thread pool grows and shrinks by itself under load; a leak of one thread per file would be far more.
        Assert.True(threadsAfter <= threadsBefore + 10, $"node threads {threadsBefore} before, {threadsAfter} after");
    }

    /// <summary>
    /// Threads of the node that are running or runnable (state R) in each of 10 samples over a second: an idle
    /// node's threads sleep, a spinning one is R whatever the load; a busy moment (JIT, GC) passes between samples.
    /// </summary>
    /// <summary>
    /// Threads of the node that used CPU in every one of ten 200 ms intervals: a parse left spinning does, however busy
    /// the machine (it gets some share of a core in each interval); an idle thread does not, even one that is runnable
    /// and waiting for a core on a loaded machine (which its state, R, alone would not tell apart).
    /// </summary>
    private static List<string> Spinning(int pid)
    {
        HashSet<string>? busy = null;
        var before = ThreadCpu(pid);
        using var sampling = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        for (var interval = 0; interval < 10; interval++)
        {
            sampling.WaitForNextTickAsync().AsTask().Wait();
            var now = ThreadCpu(pid);
            var used = now.Where(t => before.TryGetValue(t.Key, out var was) && t.Value > was).Select(t => t.Key).ToHashSet();
            busy = busy is null ? used : [.. busy.Intersect(used)];
            before = now;
        }
        return [.. busy!];
    }

    /// <summary>utime + stime of each thread of <paramref name="pid"/>, by "TID (name)".</summary>
    private static Dictionary<string, long> ThreadCpu(int pid)
    {
        var cpu = new Dictionary<string, long>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                // The runtime's tiered JIT recompiles hot methods in the background for a while after the reloads.
                if (stat.Contains("(.NET Tiered", StringComparison.Ordinal)) continue;
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // Fields 14 and 15 of the stat line; the split starts at field 3.
                cpu[$"{Path.GetFileName(task)} ({stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')]})"] =
                    long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended between the listing and the read.
            }
        }
        return cpu;
    }

    private static int Threads(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal))["Threads:".Length..].Trim());

    /// <summary>utime + stime of the node (/proc/PID/stat fields 14 and 15, in clock ticks of 10 ms).</summary>
    private static TimeSpan NodeCpu(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return TimeSpan.FromMilliseconds((long.Parse(fields[11]) + long.Parse(fields[12])) * 10);
    }
}
