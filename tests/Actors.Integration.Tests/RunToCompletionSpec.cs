using System.Text.RegularExpressions;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// The real node run to completion, as a CI job runs it: <c>actors run --exit-code-from NAME</c>,
/// <c>--until-done</c> and <c>availability.exit-on-failure</c> stop every process and exit with the right code.
/// </summary>
public sealed class RunToCompletionSpec : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-completion-").FullName;
    private NodeProcess? _node;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _node?.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    /// <summary>db (a sleeper service), migrate (a job that succeeds once db runs), tests (a job that exits 3 after migrate).</summary>
    private const string CiPipeline = """
        actors.processes {
          db { command = "sleep", args = ["1000"] }
          migrate { kind = job, command = "/bin/sh", args = ["-c", "exit 0"], depends-on { db = started } }
          tests { kind = job, command = "/bin/sh", args = ["-c", "exit 3"], retry.max-attempts = 1, depends-on { migrate = completed } }
        }
        """;

    private NodeProcess Run(string config, params string[] flags)
    {
        var path = Path.Combine(_dir, "node.conf");
        File.WriteAllText(path, config);
        string[] args = ["run", .. flags, path];
        return _node = NodeProcess.Start(_dir, args);
    }

    private static int PidIn(string line) => int.Parse(Regex.Match(line, @"pid (\d+)").Groups[1].Value);

    private static void AssertGone(int pid) =>
        Assert.True(Poll.Until(() => !Directory.Exists($"/proc/{pid}"), Patience), $"pid {pid} is still there after the node exited");

    [Fact]
    public void Exit_code_from_tests_stops_db_and_exits_with_the_code_tests_exited_with()
    {
        var node = Run(CiPipeline, "--exit-code-from", "tests");
        var db = PidIn(node.AwaitLine("db: running", Patience));

        Assert.Equal(3, node.WaitForExit(Patience));

        AssertGone(db);
        Assert.Contains("migrate: completed", node.Output);
        Assert.Contains("tests: failed (", node.Output);
        Assert.Contains("--exit-code-from tests: exit code 3", node.Output);
        Assert.Contains("db: stopped (node shutting down", node.Output);
    }

    [Fact]
    public void Exit_code_from_tests_whose_migration_failed_exits_1_and_says_the_dependency_failed()
    {
        var node = Run(CiPipeline.Replace("""args = ["-c", "exit 0"]""", """args = ["-c", "exit 2"], permanent-exit-codes = [2]"""), "--exit-code-from", "tests");
        var db = PidIn(node.AwaitLine("db: running", Patience));

        Assert.Equal(1, node.WaitForExit(Patience));

        AssertGone(db);
        Assert.Contains("tests: failed (dependency migrate failed (exited with code 2", node.Output);
        Assert.Contains("--exit-code-from tests: exit code 1 (it has no exit code of its own)", node.Output);
    }

    [Fact]
    public void Until_done_exits_1_once_every_job_is_done_and_one_failed()
    {
        // db is a job here: with a service that always restarts, --until-done would wait for it forever.
        var node = Run(CiPipeline.Replace("""db { command = "sleep", args = ["1000"] }""", """db { kind = job, command = "sleep", args = ["1"] }"""), "--until-done");

        Assert.Equal(1, node.WaitForExit(Patience));

        Assert.Contains("--until-done: every process is done (2 completed, 1 failed (tests)); exit code 1", node.Output);
    }

    [Fact]
    public async Task Until_done_exits_0_once_the_jobs_completed_and_the_operator_stopped_the_services_and_warns_about_one_that_always_restarts()
    {
        var node = Run("""
            actors.processes {
              migrate { kind = job, command = "/bin/sh", args = ["-c", "exit 0"] }
              tests { kind = job, command = "/bin/sh", args = ["-c", "exit 0"], depends-on { migrate = completed } }
              web { command = "sleep", args = ["1000"], restart = on-failure, depends-on { tests = exited } }
              cache { command = "sleep", args = ["1000"] }
            }
            """, "--until-done");
        var cache = PidIn(node.AwaitLine("cache: running", Patience));
        node.AwaitLine("--until-done: cache is a service with restart = always", Patience);
        var web = PidIn(node.AwaitLine("web: running", Patience));

        // The services run on until the operator stops them; then everything is done.
        Assert.Equal(0, await global::Actors.Node.Cli.RunAsync(["stop", "web", "cache", "--config", Path.Combine(_dir, "node.conf")], TextWriter.Null, TextWriter.Null));
        Assert.Equal(0, node.WaitForExit(Patience));

        AssertGone(cache);
        AssertGone(web);
        Assert.Contains("every process is done (2 completed, 0 failed, 2 stopped or waiting for a stopped dependency); exit code 0", node.Output);
    }

    [Fact]
    public void Exit_on_failure_of_a_process_killed_by_a_signal_stops_the_node_with_128_plus_the_signal()
    {
        var node = Run("""
            actors.processes {
              db { command = "sleep", args = ["1000"] }
              worker {
                command = "/bin/sh", args = ["-c", "kill -KILL $$"], restart = never
                availability { exit-on-failure = on }
                depends-on { db = started }
              }
            }
            """);
        var db = PidIn(node.AwaitLine("db: running", Patience));

        Assert.Equal(137, node.WaitForExit(Patience));

        AssertGone(db);
        Assert.Contains("worker failed for good (", node.Output);
        Assert.Contains("exit code 137 (128 + SIGKILL (9))", node.Output);
    }

    [Fact]
    public void An_exit_code_from_name_that_is_not_declared_exits_4_and_starts_nothing()
    {
        var node = Run(CiPipeline, "--exit-code-from", "test");

        Assert.Equal(4, node.WaitForExit(Patience));

        Assert.Contains("actors: --exit-code-from test: test is not a process declared in", node.Output);
        Assert.Contains("did you mean tests?; nothing started", node.Output);
        Assert.DoesNotContain("db: running", node.Output);
    }

    [Theory]
    [InlineData("--exit-code-from", "--exit-code-from needs the name of a declared process")]
    [InlineData("--until-done --exit-code-from tests", "--until-done and --exit-code-from exclude each other")]
    [InlineData("--until-dne", "unknown option '--until-dne'")]
    public void Wrong_run_flags_exit_64_with_one_line_saying_what_to_do(string flags, string message)
    {
        // The flags after CONFIG: a bare --exit-code-from at the end has no name to take.
        var path = Path.Combine(_dir, "node.conf");
        File.WriteAllText(path, CiPipeline);
        string[] args = ["run", path, .. flags.Split(' ')];
        var node = _node = NodeProcess.Start(_dir, args);

        Assert.Equal(64, node.WaitForExit(Patience));

        Assert.Contains($"actors run: {message}", node.Output);
        Assert.DoesNotContain("db: running", node.Output);
    }

    [Fact]
    public void A_run_to_completion_stopped_by_sigterm_before_it_was_done_exits_1()
    {
        var node = Run(CiPipeline.Replace("\"exit 3\"", "\"sleep 1000\""), "--exit-code-from", "tests");
        node.AwaitLine("tests: running", Patience);

        node.Signal(15);

        Assert.Equal(1, node.WaitForExit(Patience));
        Assert.Contains("node stopped before the run was done (--exit-code-from tests); exit code 1", node.Output);
    }
}
