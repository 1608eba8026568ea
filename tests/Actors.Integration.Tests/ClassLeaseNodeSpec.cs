using System.Text.RegularExpressions;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// A real node whose process runs under a lease.class lease: Actors.TestLeases.MemoryLease, loaded from the .dll that
/// lease.assembly names (this test's output folder, not the node's). The lease's own settings reach it (it writes a
/// marker file they name, and treats a revoke file as the store taking the lease back).
/// </summary>
public sealed class ClassLeaseNodeSpec : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const int SIGTERM = 15;
    private readonly string _root = Directory.CreateTempSubdirectory("actors-classlease-it-").FullName;
    private readonly List<NodeProcess> _nodes = [];
    private string Marker => Path.Combine(_root, "marker");
    private string Revoke => Path.Combine(_root, "revoke");
    private string Seen => Path.Combine(_root, "seen");
    private static string TestLeases => Path.Combine(AppContext.BaseDirectory, "Actors.TestLeases.dll");

    private string WriteConfig(string leaseClass)
    {
        var config = Path.Combine(_root, "node.conf");
        File.WriteAllText(config, $$"""
            actors.processes.guarded {
              command = "/bin/sh"
              args = ["-c", "env | grep ^ACTORS_LEASE_ | sort > {{Seen}}.tmp; mv {{Seen}}.tmp {{Seen}}; while true; do sleep 1 & wait $!; done"]
              lease {
                name = guarded, heartbeat-interval = 200ms, ttl = 4s
                class = "{{leaseClass}}"
                assembly = "{{TestLeases}}"
                settings { marker = "{{Marker}}", revoke-file = "{{Revoke}}", greeting = "from-node-conf" }
              }
            }
            """);
        return config;
    }

    private NodeProcess Start(string config)
    {
        var node = NodeProcess.Start(_root, "run", config);
        _nodes.Add(node);
        return node;
    }

    private static int PidIn(string line) => int.Parse(Regex.Match(line, @"pid (\d+)").Groups[1].Value);

    private static bool IsGone(int pid) => Actors.Processes.ProcStat.ReadStartTime(pid) is null || Actors.Processes.ProcStat.IsZombie(pid);

    [Fact]
    public void A_process_runs_under_a_lease_loaded_by_class_name_from_its_assembly_with_its_settings_and_no_fencing_token()
    {
        var node = Start(WriteConfig("Actors.TestLeases.MemoryLease, Actors.TestLeases"));

        var running = node.AwaitLine("guarded: running", Patience);
        Assert.Contains("lease guarded acquired (no fencing token)", node.Output);
        Assert.True(Poll.Until(() => File.Exists(Seen), Patience));
        // The lease's name, and no ACTORS_LEASE_TOKEN: this lease hands out none.
        Assert.Equal(["ACTORS_LEASE_NAME=guarded"], File.ReadAllLines(Seen));
        var acquired = Assert.Single(File.ReadAllLines(Marker));
        Assert.Matches(@"^acquired \S+:\d+ greeting=from-node-conf interval=200 ttl=4000 op=2000$", acquired);
        Assert.False(IsGone(PidIn(running)));
    }

    [Fact]
    public void When_the_implementation_no_longer_holds_the_lease_the_node_kills_the_process_and_runs_it_again_once_it_holds_it()
    {
        var node = Start(WriteConfig("Actors.TestLeases.MemoryLease, Actors.TestLeases"));
        var first = PidIn(node.AwaitLine("guarded: running", Patience));

        File.WriteAllText(Revoke, "");
        var lost = node.AwaitLine("lease lost: the lease implementation no longer holds it", Patience);
        Assert.Contains("SIGKILL", lost);
        Assert.True(Poll.Until(() => IsGone(first), Patience), $"pid {first} still runs after the lease was lost");
        node.AwaitLine("guarded: waiting (waiting for lease guarded)", Patience);

        File.Delete(Revoke);
        Assert.True(Poll.Until(() => Regex.Matches(node.Output, "guarded: running").Count == 2, Patience), node.Output);
        Assert.Equal(2, File.ReadAllLines(Marker).Length);
    }

    [Fact]
    public void A_lease_class_whose_constructor_fails_leaves_the_process_waiting_with_one_clear_line_and_no_stack_trace()
    {
        var node = Start(WriteConfig("Actors.TestLeases.ThrowingLease, Actors.TestLeases"));

        var line = node.AwaitLine("could not be made", Patience);
        Assert.Contains("lease guarded: lease.class \"Actors.TestLeases.ThrowingLease, Actors.TestLeases\" could not be made: no lease store reachable at (no store set)", line);
        node.AwaitLine("guarded: waiting", Patience);
        Assert.DoesNotContain("   at ", node.Output);
        Assert.False(File.Exists(Seen));
    }

    [Fact]
    public async Task Check_config_names_the_key_the_value_and_what_to_do_for_a_class_that_is_not_a_lease()
    {
        var config = WriteConfig("Actors.TestLeases.NotALease, Actors.TestLeases");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = await global::Actors.Node.Cli.RunAsync(["check-config", config], stdout, stderr);

        Assert.Equal(2, code);
        var all = stdout + "\n" + stderr;
        Assert.Contains("actors.processes.guarded.lease.class: \"Actors.TestLeases.NotALease, Actors.TestLeases\": Actors.TestLeases.NotALease is not an Akka.Coordination.Lease", all);
        Assert.DoesNotContain("   at ", all);
    }

    public void Dispose()
    {
        foreach (var node in _nodes) node.Signal(SIGTERM);
        foreach (var node in _nodes)
        {
            try { node.WaitForExit(Patience); } catch (TimeoutException) { }
            node.Dispose();
        }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
