using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// <c>actors simulate</c> as an operator runs it: the real binary, one process per run (so nothing but the seed is
/// shared between two runs), on config files written here.
/// </summary>
public sealed class SimulateCliSpec : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("simulate-cli-").FullName;

    private const string CrashLoop = """
        actors.processes {
          worker {
            command = "/srv/worker"
            backoff { min = 1s, max = 60s, random-factor = 0.2, reset-after = 60s }
            start-limit { burst = 10, interval = 1h }
          }
          api {
            command = "/srv/api"
            backoff { min = 1s, max = 60s, random-factor = 0, reset-after = 60s }
            start-limit { burst = 10, interval = 10m }
          }
        }
        """;

    private string Config(string text, string name = "node.conf")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Code, string Stdout, string Stderr) Simulate(params string[] args)
    {
        var info = TestPaths.Actors(["simulate", .. args]);
        info.RedirectStandardOutput = info.RedirectStandardError = true;
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            throw new TimeoutException("actors simulate did not end within 2 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static JsonElement Process(string json, string name) =>
        JsonDocument.Parse(json).RootElement.GetProperty("processes").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);

    [Fact]
    public void The_same_seed_prints_the_same_bytes_in_two_separate_runs()
    {
        var config = Config(CrashLoop);
        string[] args = [config, "--for", "24h", "--seed", "42", "--behave", "worker=exit 1 after 40s", "--behave", "api=crash"];

        var first = Simulate(args);
        var second = Simulate(args);

        Assert.Equal(0, first.Code);
        Assert.Equal(first.Stdout, second.Stdout);
        Assert.Contains("worker", first.Stdout);
        var json = Simulate([.. args, "--json"]);
        Assert.Equal(json.Stdout, Simulate([.. args, "--json"]).Stdout);
    }

    [Fact]
    public void Two_seeds_draw_different_jitter_and_give_the_same_counts_where_jitter_does_not_matter()
    {
        var config = Config(CrashLoop);
        string[] Args(string seed) => [config, "--for", "24h", "--seed", seed, "--behave", "worker=crash", "--behave", "api=crash", "--json"];

        var one = Simulate(Args("1")).Stdout;
        var two = Simulate(Args("2")).Stdout;

        Assert.NotEqual(one, two);
        foreach (var name in new[] { "worker", "api" })
        {
            Assert.Equal(10, Process(one, name).GetProperty("starts").GetInt32());
            Assert.Equal(10, Process(two, name).GetProperty("starts").GetInt32());
            Assert.Equal("failed", Process(one, name).GetProperty("state").GetString());
            Assert.Equal("failed", Process(two, name).GetProperty("state").GetString());
        }
        // api has no jitter: it gives up at the same second under both seeds; worker's jittered give-up moves.
        static decimal GaveUp(string json, string name) => Process(json, name).GetProperty("trail").EnumerateArray().Last().GetProperty("at-s").GetDecimal();
        Assert.Equal(GaveUp(one, "api"), GaveUp(two, "api"));
        Assert.NotEqual(GaveUp(one, "worker"), GaveUp(two, "worker"));
    }

    [Fact]
    public void The_give_up_time_is_the_backoff_arithmetic_by_hand()
    {
        var (code, stdout, _) = Simulate(Config(CrashLoop), "--for", "1h", "--behave", "api=crash", "--json");

        Assert.Equal(0, code);
        var api = Process(stdout, "api");
        var trail = api.GetProperty("trail").EnumerateArray().ToList();
        // Starts at 0, 1, 3, 7, 15, 31, 63, 123, 183, 243 s (delays 1, 2, 4, 8, 16, 32, 60, 60, 60): the tenth is the last.
        decimal[] starts = [0, 1, 3, 7, 15, 31, 63, 123, 183, 243];
        Assert.Equal(starts, trail.Where(t => t.GetProperty("state").GetString() == "starting").Select(t => t.GetProperty("at-s").GetDecimal()));
        Assert.Equal((243m, "failed"), (trail[^1].GetProperty("at-s").GetDecimal(), trail[^1].GetProperty("state").GetString()));
        Assert.Equal(9, api.GetProperty("restarts").GetInt32());
        Assert.StartsWith("start limit hit: 10 starts within 10m", api.GetProperty("reason").GetString());
    }

    [Fact]
    public void The_text_output_has_a_timeline_and_a_summary_saying_when_the_start_limit_gave_up()
    {
        var (code, stdout, _) = Simulate(Config(CrashLoop), "--for", "10m", "--behave", "api=crash");

        Assert.Equal(0, code);
        Assert.Contains("  00:04:03.000  api     failed       start limit hit", stdout);
        var summary = stdout[stdout.IndexOf("\nsummary\n", StringComparison.Ordinal)..];
        Assert.Matches(@"\n  api +10 +9 +00:04:03\.000 +00:00:00\.000 +failed +at 00:04:03\.000 +start limit hit", summary);
        // No behaviour given: worker runs, ready at once.
        Assert.Matches(@"\n  worker +1 +0 +00:00:00\.000 +00:00:00\.000 +running +no ", summary);
    }

    [Fact]
    public void An_expect_that_fails_exits_1_and_says_what_the_process_is_instead()
    {
        var config = Config(CrashLoop);

        var failing = Simulate(config, "--for", "1h", "--behave", "api=crash", "--expect", "api=running", "--expect", "worker=running");
        var holding = Simulate(config, "--for", "1h", "--behave", "api=crash", "--expect", "api=failed");

        Assert.Equal(1, failing.Code);
        Assert.Contains("expect api=running: FAILED, it is failed (start limit hit", failing.Stdout);
        Assert.Contains("expect worker=running: ok", failing.Stdout);
        Assert.Equal(0, holding.Code);
    }

    [Theory]
    [InlineData("--behave|wrk=crash", "--behave names 'wrk', which")]
    [InlineData("--behave|api=explode", "--behave api=\"explode\": unknown behaviour 'explode'")]
    [InlineData("--behave|api=exit 1 after 40", "duration '40' in 'exit 1 after 40' has no unit")]
    [InlineData("--for|10", "--for: duration \"10\" has no unit")]
    [InlineData("--expect|api=sleeping", "--expect api=sleeping: unknown state \"sleeping\"")]
    [InlineData("--seed|x", "--seed: \"x\" is not a whole number")]
    [InlineData("--frobnicate", "unknown option --frobnicate")]
    public void Bad_input_is_one_clear_line_and_exit_64(string args, string message)
    {
        var (code, stdout, stderr) = Simulate([Config(CrashLoop), .. args.Split('|')]);

        Assert.Equal(64, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("actors simulate: ", line);
        Assert.Contains(message, line);
    }

    [Fact]
    public void A_config_with_errors_prints_the_check_config_lines_and_exits_2()
    {
        var config = Config("actors.processes.x { command = \"/srv/x\", restart = sometimes }", "bad.conf");

        var simulate = Simulate(config, "--for", "1h");
        var checkConfig = TestPaths.Actors("check-config", config);
        checkConfig.RedirectStandardError = true;
        using var check = System.Diagnostics.Process.Start(checkConfig)!;
        var expected = check.StandardError.ReadToEnd();
        check.WaitForExit(TimeSpan.FromMinutes(1));

        Assert.Equal(2, simulate.Code);
        var problem = expected.Split('\n')[0];
        Assert.Contains("actors.processes.x.restart", problem);
        Assert.StartsWith(problem + "\n", simulate.Stderr);
        Assert.Contains("1 problem(s); nothing simulated", simulate.Stderr);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
