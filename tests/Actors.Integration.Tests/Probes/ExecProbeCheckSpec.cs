using System.Globalization;
using Akka.TestKit.Xunit2;
using Actors.Configuration;
using Actors.Probes;
using Actors.Processes;
using Xunit;
using static Actors.Probes.HealthProbe;

namespace Actors.Integration.Tests.Probes;

/// <summary>
/// The exec check with real commands: exit codes and output in the detail, the process's folder and environment,
/// a missing command, and no process of the probe left behind, whether it timed out or exited leaving children.
/// </summary>
public sealed class ExecProbeCheckSpec() : Akka.TestKit.Xunit2.TestKit("akka.loglevel = WARNING")
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-exec-probe-").FullName;

    private string PidsFile => Path.Combine(_dir, "pids");

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            Directory.Delete(_dir, recursive: true);
    }

    private static ProbeSettings Settings(string command, string[] args, double timeoutSeconds = 1) => new(
        ProbeRole.Liveness, new ExecProbeTarget(command, args), TimeSpan.Zero, TimeSpan.FromHours(1),
        TimeSpan.FromSeconds(timeoutSeconds), 1, 1);

    private IProbeCheck Check(string command, params string[] args) =>
        ProbeChecks.Create(Settings(command, args), ProbeChecksSpec.Context(_dir, "GREETING=hello"));

    private static async Task<ProbeOutcome> Run(IProbeCheck check)
    {
        using var patience = new CancellationTokenSource(Patience);
        return await check.RunAsync(patience.Token);
    }

    /// <summary>A shell script that records the pids of its background sleeps (and its own) in the pids file.</summary>
    private string[] ShellRecordingPids(string script) => ["-c", script.Replace("PIDS", PidsFile, StringComparison.Ordinal)];

    private async Task<int[]> RecordedPids(int expected)
    {
        for (var deadline = DateTime.UtcNow + Patience; DateTime.UtcNow < deadline; await Task.Delay(20))
        {
            var pids = File.Exists(PidsFile)
                ? (await File.ReadAllLinesAsync(PidsFile)).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray()
                : [];
            if (pids.Length >= expected) return pids;
        }
        throw new TimeoutException($"the probe command did not record {expected} pids in {PidsFile}");
    }

    private static bool Alive(int pid) => ProcStat.ReadGroupAndLiveness(pid) is { Live: true };

    /// <summary>SIGKILL is delivered at once, but the kernel tears a process down asynchronously: a bounded poll.</summary>
    private static async Task AssertAllGone(int[] pids)
    {
        for (var deadline = DateTime.UtcNow + Patience; pids.Any(Alive) && DateTime.UtcNow < deadline;)
            await Task.Delay(20);
        Assert.DoesNotContain(pids, Alive);
    }

    [Fact]
    public async Task Exit_code_zero_passes()
    {
        Assert.Equal(ProbeOutcome.Pass("exit code 0"), await Run(Check("true")));
    }

    [Fact]
    public async Task A_non_zero_exit_code_fails()
    {
        Assert.Equal(ProbeOutcome.Fail("exit code 1"), await Run(Check("false")));
    }

    [Theory]
    [InlineData("echo starting; echo 'database not reachable' >&2; echo; exit 3", "database not reachable")]
    [InlineData("echo checking; echo 'database not reachable' >&2; echo 'gave up'; exit 3", "gave up")]
    public async Task The_detail_ends_with_the_last_line_the_command_printed_on_either_stream(string script, string lastLine)
    {
        var outcome = await Run(Check("/bin/sh", "-c", script));
        Assert.Equal(ProbeOutcome.Fail($"exit code 3: {lastLine}"), outcome);
    }

    [Fact]
    public async Task Lines_written_in_turn_to_stdout_and_stderr_keep_their_order_so_the_last_written_is_the_detail()
    {
        // "out 1" on stdout, "err 2" on stderr, ... "err 1000" last, one write() each.
        var outcome = await Run(Check(TestPaths.DotnetHost, TestPaths.TestDummy, "print-both", "1000"));
        Assert.Equal(ProbeOutcome.Pass("exit code 0: err 1000"), outcome);
    }

    [Fact]
    public async Task A_long_last_line_is_cut_to_keep_the_detail_short()
    {
        var outcome = await Run(Check("/bin/sh", "-c", "printf '%0500d\\n' 7; exit 1"));
        Assert.Equal($"exit code 1: {new string('0', OutputTail.MaxLength)}", outcome.Detail);
    }

    [Fact]
    public async Task The_command_runs_in_the_process_folder_with_its_environment_and_ACTORS_PID()
    {
        var outcome = await Run(Check("sh", "-c", "echo \"$ACTORS_PID $GREETING $(pwd)\""));
        Assert.Equal(ProbeOutcome.Pass($"exit code 0: 4242 hello {_dir}"), outcome);
    }

    [Fact]
    public async Task A_missing_command_fails_with_a_clear_detail()
    {
        Assert.Equal(ProbeOutcome.Fail("cannot run no-such-probe-command: not found in PATH"), await Run(Check("no-such-probe-command")));
        Assert.Equal(
            ProbeOutcome.Fail($"cannot run ./check.sh: {Path.Combine(_dir, "./check.sh")} is not an executable file"),
            await Run(Check("./check.sh")));
    }

    [Fact]
    public async Task A_hung_command_is_killed_at_the_probe_timeout_with_every_child_it_started()
    {
        // The real probe actor on the real scheduler: the check starts at once and times out after 2s.
        var settings = Settings("/bin/sh",
            ShellRecordingPids("echo $$ >> PIDS; sleep 1000 & echo $! >> PIDS; sleep 1000 & echo $! >> PIDS; wait"), timeoutSeconds: 2);
        var probe = ChildActorOf(HealthProbe.Props(settings, ProbeChecks.Create(settings, ProbeChecksSpec.Context(_dir))));

        var pids = await RecordedPids(3);
        Assert.All(pids, pid => Assert.True(Alive(pid), $"{pid} runs while the check does"));

        Assert.Equal(new ProbeChecked(ProbeRole.Liveness, false, "timed out after 2s"), await ExpectMsgAsync<ProbeChecked>(Patience));
        await AssertAllGone(pids);
        Sys.Stop(probe);
    }

    [Fact]
    public async Task A_command_that_exits_leaving_a_background_child_leaves_nothing_behind()
    {
        // The sleep is reparented as soon as the shell exits: only the process-group kill can find it.
        var check = Check("/bin/sh", ShellRecordingPids("sleep 1000 >/dev/null 2>&1 & echo $! >> PIDS; echo done"));
        Assert.Equal(ProbeOutcome.Pass("exit code 0: done"), await Run(check));
        await AssertAllGone(await RecordedPids(1));
    }

    [Theory]
    [InlineData("yes & echo $! >> PIDS; exit 1")]
    // Ignores SIGPIPE, so it writes on (and fails) after its output is closed: only the group kill ends it.
    [InlineData("(trap '' PIPE; while :; do echo y; done) & echo $! >> PIDS; exit 1")]
    public async Task A_command_whose_background_child_keeps_writing_ends_with_its_own_exit_and_leaves_nothing_behind(string script)
    {
        // Run cancels only after Patience: an outcome, not a cancellation, says the check ended with the command.
        var outcome = await Run(Check("/bin/sh", ShellRecordingPids(script)));
        Assert.False(outcome.Passed);
        // The child's "y" lines may or may not have come before the exit: the detail ends with one if any.
        Assert.Matches("^exit code 1(: y)?$", outcome.Detail);
        await AssertAllGone(await RecordedPids(1));
    }

    [Fact]
    public async Task A_writer_that_left_the_command_group_neither_keeps_the_check_running_nor_outlives_it()
    {
        // setsid: out of the group, so the group kill misses it, and it writes on into the check's pipe. The command
        // ends only once the writer has left its group (it records its pid from there), or the group kill would reach it.
        var check = Check("/bin/sh", ShellRecordingPids(
            "setsid sh -c 'echo $$ >> PIDS; trap \"\" PIPE; while :; do echo y; done' & while [ ! -s PIDS ]; do sleep 0.01; done; exit 1"));
        var outcome = await Run(check);
        var writer = await RecordedPids(1);
        var writerStart = ProcStat.ReadStartTime(writer[0]);
        try
        {
            Assert.Matches("^exit code 1(: y)?$", outcome.Detail);
            // Found by the check's own run marker, which it inherited, and killed when the check ended.
            await AssertAllGone(writer);
        }
        finally
        {
            if (writerStart is { } start) ProcessGroupSignal.ToProcess(writer[0], start, 9); // a busy loop, if the check missed it
        }
    }

    [Fact]
    public async Task A_timed_out_command_that_ignores_SIGTERM_is_reaped_before_the_check_ends_and_its_child_is_killed_with_it()
    {
        var check = Check("/bin/sh", ShellRecordingPids("trap '' TERM; sleep 1000 & echo $$ >> PIDS; echo $! >> PIDS; wait"));
        using var timeout = new CancellationTokenSource();
        var running = check.RunAsync(timeout.Token);
        var pids = await RecordedPids(2);
        Assert.All(pids, pid => Assert.True(Alive(pid), $"{pid} runs while the check does"));

        // What the probe actor does at the timeout.
        await timeout.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Patience));

        // The command was reaped before the check ended: its pid is held by nothing, not even a zombie.
        Assert.Null(ProcStat.ReadGroupAndLiveness(pids[0]));
        // Its child got the same SIGKILL; the kernel tears it down on its own time.
        await AssertAllGone(pids);
    }

    [Fact]
    public async Task Cancelling_a_check_kills_its_command_and_grandchildren_at_once()
    {
        var check = Check("/bin/sh", ShellRecordingPids("echo $$ >> PIDS; sh -c 'sleep 1000 & echo $! >> PIDS; wait' & wait"));
        using var cancel = new CancellationTokenSource();
        var running = check.RunAsync(cancel.Token);
        var pids = await RecordedPids(2);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Patience));
        await AssertAllGone(pids);
    }
}
