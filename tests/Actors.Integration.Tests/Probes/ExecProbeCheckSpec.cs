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
public sealed class ExecProbeCheckSpec() : TestKit("akka.loglevel = WARNING")
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

    [Fact]
    public async Task The_detail_ends_with_the_last_line_the_command_printed_on_either_stream()
    {
        var outcome = await Run(Check("/bin/sh", "-c", "echo starting; echo 'database not reachable' >&2; echo; exit 3"));
        Assert.Equal(ProbeOutcome.Fail("exit code 3: database not reachable"), outcome);
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
