using System.Text.RegularExpressions;
using Actors.Processes;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// Issue 5, part 4: <c>actors exec</c> runs one command under the node's job policies, with no node: timeout
/// (exit 124), retries by exit class, signals passed on to the whole group, the command's own streams and code.
/// </summary>
public sealed partial class ExecSpec : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-exec-").FullName;
    private readonly List<ExecProcess> _started = new();

    private ExecProcess Exec(params string[] args) => Track(ExecProcess.Start(_dir, args));

    private ExecProcess Track(ExecProcess exec)
    {
        _started.Add(exec);
        return exec;
    }

    /// <summary>A shell line that counts its runs in DIR/runs and exits with the code for that run.</summary>
    private string[] CountingShell(string codes) =>
        ["/bin/sh", "-c", $"n=$(( $(cat runs 2>/dev/null || echo 0) + 1 )); echo $n > runs; set -- {codes}; shift $((n - 1)); exit ${{1:-0}}"];

    private int Runs => int.Parse(File.ReadAllText(Path.Combine(_dir, "runs")).Trim());

    private static double UptimeSeconds() =>
        double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static int LiveMembers(int pgid) => ProcessGroups.CountLiveMembers([pgid])[pgid];

    [Fact]
    public async Task Timeout_cuts_the_command_short_not_before_the_timeout_and_exits_124_with_nothing_left()
    {
        // The command notes its own start time (/proc/PID/stat field 22, in USER_HZ = 100 ticks a second; kept
        // across the exec): the "running" line may be read after the timeout already ended it, on a busy machine.
        var exec = Exec("--verbose", "--timeout", "1s", "--", "/bin/sh", "-c", "cut -d ' ' -f 22 /proc/$$/stat > started; exec sleep 30");
        var pid = await exec.AwaitRunningPidAsync();

        Assert.Equal(124, await exec.ExitCodeAsync());
        var startedAt = double.Parse(File.ReadAllText(Path.Combine(_dir, "started")).Trim(), System.Globalization.CultureInfo.InvariantCulture) / 100;
        var ranFor = UptimeSeconds() - startedAt;
        // Measured from the command's own start time. Cut by the timeout: long before its own 30 s, however busy
        // the machine (how close to 1 s is a benchmark's question, not a test's), and not before the 1 s.
        Assert.True(ranFor < 15, $"exited {ranFor:0.###}s after the command started (total {exec.Started.Elapsed})");
        Assert.True(ranFor >= 0.9, $"exited already {ranFor:0.###}s after the command started");
        Assert.Equal(0, LiveMembers(pid));
        Assert.Contains("timed out after 1s", exec.Stderr);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task The_exit_code_is_the_commands_own(int code)
    {
        var exec = Exec("--", "/bin/sh", "-c", $"exit {code}");

        Assert.Equal(code, await exec.ExitCodeAsync());
        // A plain run is as quiet as the command run by hand, and leaves nothing behind: no node, no state.
        Assert.Equal("", exec.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public async Task Stdout_and_stderr_are_the_commands_own_byte_for_byte_and_stdin_is_passed_through()
    {
        var exec = Track(ExecProcess.Start(_dir, ["--", "/bin/sh", "-c", @"printf 'a\000b\377c\n'; printf 'to stderr\n' >&2; cat"], stdin: "from stdin\n"));

        Assert.Equal(0, await exec.ExitCodeAsync());
        Assert.Equal([(byte)'a', 0, (byte)'b', 0xff, (byte)'c', (byte)'\n', .. "from stdin\n"u8.ToArray()], exec.StdoutBytes);
        Assert.Equal("to stderr\n", exec.Stderr);
    }

    [Fact]
    public async Task Retry_runs_a_transiently_failing_command_again_until_it_succeeds()
    {
        var exec = Exec(["--retry", "2", "--backoff", "10ms..20ms", "--", .. CountingShell("1 1 0")]);

        Assert.Equal(0, await exec.ExitCodeAsync());
        Assert.Equal(3, Runs);
        // One line per retry decision, on stderr.
        Assert.Equal(2, Regex.Matches(exec.Stderr, "actors exec: exited with code 1").Count);
    }

    [Fact]
    public async Task Retries_end_with_the_last_runs_code_when_attempts_run_out()
    {
        var exec = Exec(["--retry", "1", "--backoff", "10ms..20ms", "--", .. CountingShell("5 6 0")]);

        Assert.Equal(6, await exec.ExitCodeAsync());
        Assert.Equal(2, Runs);
        Assert.Contains("out of attempts (2 of 2)", exec.Stderr);
    }

    [Fact]
    public async Task Curl_preset_does_not_retry_a_permanent_code()
    {
        var exec = Exec(["--preset", "curl", "--retry", "3", "--backoff", "10ms..20ms", "--", .. CountingShell("22 0")]);

        Assert.Equal(22, await exec.ExitCodeAsync());
        Assert.Equal(1, Runs);
        Assert.Contains("code 22 is permanent (curl preset): not retried", exec.Stderr);
    }

    [Fact]
    public async Task Curl_preset_retries_a_transient_code()
    {
        var exec = Exec(["--preset", "curl", "--retry", "3", "--backoff", "10ms..20ms", "--", .. CountingShell("28 28 0")]);

        Assert.Equal(0, await exec.ExitCodeAsync());
        Assert.Equal(3, Runs);
        Assert.Contains("code 28 is transient (curl preset)", exec.Stderr);
    }

    [Fact]
    public async Task SIGTERM_is_passed_on_to_the_whole_group_no_grandchild_survives_and_nothing_is_retried()
    {
        var exec = Exec("--verbose", "--retry", "3", "--backoff", "10ms..20ms", "--", TestPaths.DotnetHost, TestPaths.TestDummy, "spawn-grandchild", "2");
        var pid = await exec.AwaitRunningPidAsync();
        await exec.AwaitTextAsync("stdout", "ready");
        var grandchildren = GrandchildPid().Matches(exec.Stdout).Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(2, grandchildren.Count);
        Assert.Equal(3, LiveMembers(pid));

        exec.Signal(15);

        Assert.Equal(143, await exec.ExitCodeAsync());
        Assert.Equal(0, LiveMembers(pid));
        // Dead, if not reaped yet by whoever adopted them.
        Assert.All(grandchildren, g => Assert.True(ProcStat.ReadStartTime(g) is null || ProcStat.IsZombie(g), $"grandchild {g} is alive"));
        // One run only: a forwarded signal ends the retries.
        Assert.Single(Regex.Matches(exec.Stderr, "running: pid"));
    }

    [GeneratedRegex(@"grandchild (\d+)")]
    private static partial Regex GrandchildPid();

    [Fact]
    public async Task SIGINT_is_passed_on_and_exits_130_without_a_retry()
    {
        var exec = Exec("--verbose", "--retry", "3", "--backoff", "10ms..20ms", "--", "sleep", "30");
        var pid = await exec.AwaitRunningPidAsync();

        exec.Signal(2);

        Assert.Equal(130, await exec.ExitCodeAsync());
        Assert.Equal(0, LiveMembers(pid));
        Assert.Single(Regex.Matches(exec.Stderr, "running: pid"));
    }

    [Fact]
    public async Task A_command_that_ignores_the_signal_is_killed_after_kill_after()
    {
        var exec = Exec("--verbose", "--kill-after", "200ms", "--", "/bin/sh", "-c", "trap '' TERM; echo trapped; sleep 30 & wait");
        var pid = await exec.AwaitRunningPidAsync();
        await exec.AwaitTextAsync("stdout", "trapped");

        exec.Signal(15);

        // The shell ignores TERM (its sleep does not); SIGKILL ends the group.
        Assert.Equal(137, await exec.ExitCodeAsync());
        Assert.Equal(0, LiveMembers(pid));
        Assert.Contains("SIGKILL to the group", exec.Stderr);
    }

    [Fact]
    public async Task A_SIGKILLed_exec_leaves_no_process_of_the_commands_group()
    {
        var exec = Exec("--verbose", "--", "/bin/sh", "-c", "sleep 30 & wait");
        var pid = await exec.AwaitRunningPidAsync();
        Assert.True(await Eventually(() => LiveMembers(pid) == 2), "the shell and its sleep run");

        exec.Signal(9);

        Assert.Equal(137, await exec.ExitCodeAsync());
        // The watchdog, a process of its own, sees exec gone and kills the group.
        Assert.True(await Eventually(() => LiveMembers(pid) == 0), $"{LiveMembers(pid)} processes of the group are left");
    }

    private static async Task<bool> Eventually(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10)) return false;
            await Task.Delay(20);
        }
        return true;
    }

    [Fact]
    public async Task A_command_not_found_exits_127_with_the_reason_and_is_not_retried()
    {
        var exec = Exec("--retry", "3", "--", "no-such-command-here");

        Assert.Equal(127, await exec.ExitCodeAsync());
        Assert.Equal("actors exec: command not found: no-such-command-here (not in PATH)\n", exec.Stderr);
    }

    [Fact]
    public async Task A_command_that_is_not_executable_exits_126_with_the_reason()
    {
        File.WriteAllText(Path.Combine(_dir, "script"), "echo hi\n");
        var exec = Exec("--", "./script");

        Assert.Equal(126, await exec.ExitCodeAsync());
        Assert.Contains("actors exec: permission denied: ./script is not executable", exec.Stderr);
    }

    [Theory]
    [InlineData("--timeout abc -- true", "--timeout: \"abc\" is not a duration")]
    [InlineData("--kill-after -1s -- true", "--kill-after:")]
    [InlineData("--retry many -- true", "--retry: \"many\" is not a number of retries")]
    [InlineData("--backoff 5s..1s -- true", "--backoff:")]
    [InlineData("--preset wget -- true", "--preset: \"wget\" is not a known preset")]
    [InlineData("--permanent-codes 1,x -- true", "--permanent-codes:")]
    [InlineData("--bogus -- true", "unknown option --bogus")]
    [InlineData("--timeout", "--timeout needs a value")]
    [InlineData("--timeout 1s", "no command given")]
    public async Task Wrong_usage_exits_64_with_one_line_naming_the_option(string line, string message)
    {
        var exec = Exec(line.Split(' '));

        Assert.Equal(64, await exec.ExitCodeAsync());
        Assert.Contains($"actors exec: {message}", exec.Stderr);
        Assert.DoesNotContain("   at ", exec.Stderr); // no stack trace
        Assert.Equal("", exec.Stdout);
    }

    public void Dispose()
    {
        foreach (var exec in _started) exec.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
