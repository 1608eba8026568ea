using System.Diagnostics;
using System.Text.RegularExpressions;
using Actors.Processes;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// Issue 11, item 3: what a process started is stopped with it, also what left its process group (a
/// <c>setsid</c> grandchild, a daemon's double fork), on stop, restart and node shutdown; and the node, which
/// adopts orphaned descendants (child subreaper), leaves no zombies behind.
/// </summary>
public sealed class EscapedDescendantSpec : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly ControlledNode _node = new();
    private string? _nodeMarker;

    // The main process starts a setsid'd sleep (a grandchild in a session of its own) and a daemon by double fork
    // (setsid sh, which starts a sleep and exits: the sleep is in a group whose leader is gone), prints both pids,
    // then sleeps itself.
    private const string Escaper =
        "command = \"/bin/sh\", args = [\"-c\", \"setsid sleep 1000 & echo escaped $!; setsid sh -c 'sleep 1000 & echo daemon $!' & exec sleep 1000\"]";

    public Task InitializeAsync() => Task.CompletedTask;

    private void StartNode(string processes)
    {
        _node.WriteConfig(processes);
        _node.Start();
        var nodePid = _node.Process!.Pid;
        _nodeMarker = NodeMarker.Entry(nodePid, ProcStat.ReadStartTime(nodePid) ?? 0);
    }

    /// <summary>The pids the process printed after <paramref name="label"/> (with their start times, read at once).</summary>
    private List<(int Pid, long StartTime)> Printed(string name, string label)
    {
        var log = _node.Cli("logs", name, "-n", "100000").Out;
        return Regex.Matches(log, $@"{label} (\d+)").Select(m => int.Parse(m.Groups[1].Value))
            .Select(pid => (pid, ProcStat.ReadStartTime(pid) ?? -1)).ToList();
    }

    private List<(int Pid, long StartTime)> AwaitEscapees(string name)
    {
        _node.AwaitOutput(name, "daemon ");
        var escapees = Printed(name, "escaped").Concat(Printed(name, "daemon")).ToList();
        Assert.Equal(2, escapees.Count);
        Assert.All(escapees, e => Assert.True(IsAlive(e.Pid, e.StartTime), $"pid {e.Pid} is not running"));
        // They really left the group of the main process.
        var main = _node.Pid(name)!.Value;
        Assert.All(escapees, e => Assert.NotEqual(main, (int)ProcStat.ReadProcessGroup(e.Pid)!.Value));
        return escapees;
    }

    private static bool IsAlive(int pid, long startTime) =>
        startTime >= 0 && ProcStat.ReadStartTime(pid) == startTime && !ProcStat.IsZombie(pid);

    /// <summary>Waits (bounded) until none of <paramref name="processes"/> runs; true when so.</summary>
    private static bool AwaitGone(IEnumerable<(int Pid, long StartTime)> processes) =>
        Poll.Until(() => !processes.Any(p => IsAlive(p.Pid, p.StartTime)), Patience, intervalMs: 50);

    /// <summary>Live processes whose environment carries the marker of the node this test started.</summary>
    private List<int> MarkedByOurNode() => _nodeMarker is null ? [] : ProcessesWithEntry(_nodeMarker);

    private static List<int> ProcessesWithEntry(string entry)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(entry + "\0");
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || ProcStat.IsZombie(pid)) continue;
            try
            {
                var environ = File.ReadAllBytes($"/proc/{pid}/environ");
                if (environ.AsSpan().IndexOf(needle) >= 0) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>A process as a failure message names it: pid, command line, and its run's marker (which run left it).</summary>
    private static string Describe(int pid)
    {
        try
        {
            var run = File.ReadAllText($"/proc/{pid}/environ").Split('\0').FirstOrDefault(e => e.StartsWith("ACTORS_RUN=", StringComparison.Ordinal));
            return $"{pid} ({File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim()}, {run})";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return $"{pid} (gone)"; }
    }

    /// <summary>Zombie children of <paramref name="parent"/>: exited, never reaped.</summary>
    private static int ZombieChildren(int parent)
    {
        int count = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string stat;
            try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[0] is "Z" && int.Parse(fields[1]) == parent) count++;
        }
        return count;
    }

    [Fact]
    public void Stop_ends_a_setsid_grandchild_and_a_double_forked_daemon_with_their_process()
    {
        StartNode($"escaper {{ {Escaper} }}");
        var escapees = AwaitEscapees("escaper");

        var stop = _node.Cli("stop", "escaper");
        Assert.True(stop.Code == 0, stop.ToString());
        Assert.True(AwaitGone(escapees), $"still running after stop: {string.Join(", ", escapees.Where(e => IsAlive(e.Pid, e.StartTime)))}");
    }

    [Fact]
    public void What_left_the_group_gets_the_stop_signal_with_it_not_only_SIGKILL_at_the_stop_timeout()
    {
        // The stop answers once the escapees are gone too: with a stop timeout far beyond the patience, only the
        // stop signal can end them in time (SIGKILL would come after 300 s).
        StartNode($"escaper {{ {Escaper}, stop.timeout = 300s }}");
        var escapees = AwaitEscapees("escaper");

        var clock = Stopwatch.StartNew();
        var stop = _node.Cli("stop", "escaper");
        Assert.True(stop.Code == 0, stop.ToString());
        Assert.True(clock.Elapsed < Patience, $"the stop took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(AwaitGone(escapees), $"still running after stop: {string.Join(", ", escapees.Where(e => IsAlive(e.Pid, e.StartTime)))}");
    }

    [Fact]
    public void Restart_ends_what_the_previous_run_left_outside_its_group()
    {
        StartNode($"escaper {{ {Escaper} }}");
        var escapees = AwaitEscapees("escaper");
        var firstPid = _node.Pid("escaper");

        var restart = _node.Cli("restart", "escaper");
        Assert.True(restart.Code == 0, restart.ToString());
        _node.AwaitStatus("escaper", s => s.GetProperty("pid").ValueKind == System.Text.Json.JsonValueKind.Number
            && s.GetProperty("pid").GetInt32() != firstPid, "restarted");
        Assert.True(AwaitGone(escapees), $"the first run's escapees survived the restart: {string.Join(", ", escapees.Where(e => IsAlive(e.Pid, e.StartTime)))}");
    }

    [Fact]
    public void Node_shutdown_ends_a_setsid_grandchild_and_a_double_forked_daemon()
    {
        StartNode($"escaper {{ {Escaper} }}");
        var escapees = AwaitEscapees("escaper");

        _node.Process!.Signal(15);
        Assert.Equal(0, _node.Process.WaitForExit(Patience));
        Assert.True(AwaitGone(escapees), $"still running after the node stopped: {string.Join(", ", escapees.Where(e => IsAlive(e.Pid, e.StartTime)))}");
    }

    /// <summary>
    /// Restarts a process that leaves a setsid'd orphan each time, as fast as it goes (backoff 0): every orphan is
    /// stopped with its run, and the node (their adoptive parent) reaps them all. 200 restarts here keep the test
    /// within a minute or two on a busy machine; bench/escaped-restarts.sh runs the full 1,000.
    /// </summary>
    [Fact]
    public void Many_restarts_of_a_process_that_leaves_an_orphan_leave_neither_orphans_nor_zombies()
    {
        const int restarts = 200;
        StartNode("""
            orphaner {
              command = "/bin/sh", args = ["-c", "setsid sleep 1000 & sleep 1000 & exit 1"]
              backoff { min = 0s, max = 0s, random-factor = 0 }
              start-limit { burst = 100000, interval = 10m }
              stop.timeout = 5s
            }
            """);
        var clock = Stopwatch.StartNew();
        while (_node.Status("orphaner").GetProperty("restarts").GetInt32() < restarts)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"only {_node.Status("orphaner").GetProperty("restarts")} restarts in 3 minutes");
            _node.Process!.AwaitNextLine(TimeSpan.FromMilliseconds(200));
        }
        var stop = _node.Cli("stop", "orphaner");
        Assert.True(stop.Code == 0, stop.ToString());

        // Nothing the node started is left running, and it reaped every orphan it adopted.
        var leftovers = MarkedByOurNode();
        Assert.True(leftovers.Count == 0, $"{leftovers.Count} processes of the node still run after stop: {string.Join("; ", leftovers.Select(Describe))}");
        var nodePid = _node.Process!.Pid;
        // A reap follows each kill closely but not atomically: allow the node a bounded moment for the last ones.
        Poll.Until(() => ZombieChildren(nodePid) == 0, TimeSpan.FromSeconds(10), intervalMs: 100);
        Assert.Equal(0, ZombieChildren(nodePid));
    }

    /// <summary>
    /// An orphan that ends while its run goes on (a background job of a shell that exited) becomes the node's zombie:
    /// no drain of the run reaps it, the sweep that its SIGCHLD schedules does (an idle node does not sweep at all).
    /// </summary>
    [Fact]
    public void An_orphan_that_ends_while_its_process_runs_on_is_reaped_by_the_node()
    {
        // The subshell starts a sleep of 2 s in the background and exits: the sleep is adopted by the node.
        StartNode("""
            parent { command = "/bin/sh", args = ["-c", "(sleep 2 & echo orphan $!) ; exec sleep 1000"] }
            """);
        _node.AwaitOutput("parent", "orphan ");
        var orphan = Printed("parent", "orphan").Single();
        var nodePid = _node.Process!.Pid;
        Assert.True(Poll.Until(() => ProcStat.ReadStartTime(orphan.Pid) != orphan.StartTime || ZombieChildren(nodePid) > 0, Patience, intervalMs: 50),
            "the orphan neither ended nor became the node's zombie");
        Assert.True(Poll.Until(() => ZombieChildren(nodePid) == 0 && ProcStat.ReadStartTime(orphan.Pid) != orphan.StartTime, Patience, intervalMs: 100),
            $"the node still has {ZombieChildren(nodePid)} zombie children {Patience.TotalSeconds} s after the orphan ended");
        Assert.Equal("running", _node.Status("parent").GetProperty("state").GetString());
    }

    public Task DisposeAsync()
    {
        // The node first (its own stop ends its processes); then whatever carries its marker, which only its
        // descendants do: a failed test must not leave sleeps behind.
        var marker = _nodeMarker;
        _node.Dispose();
        if (marker is not null)
            foreach (var pid in ProcessesWithEntry(marker))
                try { Process.GetProcessById(pid).Kill(); } catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { }
        return Task.CompletedTask;
    }
}
