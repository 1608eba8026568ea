using Actors.Configuration;
using Actors.Processes;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Supervision;

/// <summary>When a node that runs to completion ends by itself, and with which exit code (exit-on-failure, --exit-code-from, --until-done).</summary>
public sealed class RunToCompletionSpec
{
    private static ProcessSettings Declare(string name, bool exitOnFailure = false, ProcessKind kind = ProcessKind.Job,
        (string Name, DependencyCondition Condition)[]? dependsOn = null) =>
        new(name, null, "/bin/true", [], false, "/", new Dictionary<string, string>(), kind == ProcessKind.Job ? RestartPolicy.OnFailure : RestartPolicy.Always,
            new HashSet<int>(), new BackoffSettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 0, TimeSpan.FromSeconds(60)),
            new StartLimitSettings(10, TimeSpan.FromMinutes(10)), new StopSettings(15, "TERM", TimeSpan.FromSeconds(10)),
            new LogSettings($"/tmp/{name}.log", 1000, 1, false))
        {
            Kind = kind,
            ExitOnFailure = exitOnFailure,
            DependsOn = (dependsOn ?? []).Select(d => new Dependency(d.Name, d.Condition)).ToList(),
        };

    private static ProcessStatus Status(string name, ProcessState state, ExitStatus? exit = null, bool reported = true) =>
        new(name, null, state, null, null, 0, exit, null, $"{name} is {state.ToDisplay()}",
            reported ? new[] { new Transition(DateTimeOffset.UnixEpoch, state, "x") } : Array.Empty<Transition>());

    [Fact]
    public void Exit_on_failure_ends_the_run_with_the_code_of_the_process_that_failed_for_good()
    {
        var declared = new[] { Declare("db", kind: ProcessKind.Service), Declare("tests", exitOnFailure: true) };
        var policy = new RunToCompletion(null, untilDone: false);

        Assert.Null(policy.Decide(declared, [Status("db", ProcessState.Running), Status("tests", ProcessState.BackingOff, ExitStatus.Exited(3))]));
        var exit = policy.Decide(declared, [Status("db", ProcessState.Running), Status("tests", ProcessState.Failed, ExitStatus.Exited(3))]);

        Assert.NotNull(exit);
        Assert.Equal(3, exit.Code);
        Assert.StartsWith("tests failed for good (tests is failed) and has availability.exit-on-failure = on; exit code 3", exit.Reason);
    }

    [Fact]
    public void A_process_without_exit_on_failure_that_fails_ends_nothing_without_the_run_flags()
    {
        var declared = new[] { Declare("db", kind: ProcessKind.Service), Declare("tests") };
        var policy = new RunToCompletion(null, untilDone: false);

        Assert.False(policy.CanEnd(declared));
        Assert.Null(policy.Decide(declared, [Status("db", ProcessState.Failed, ExitStatus.Exited(1)), Status("tests", ProcessState.Failed, ExitStatus.Exited(3))]));
    }

    [Fact]
    public void A_death_by_signal_gives_128_plus_the_signal_and_a_failure_never_gives_0()
    {
        Assert.Equal(137, RunToCompletion.ExitCodeOf(ProcessState.Failed, ExitStatus.Killed(9)));
        Assert.Equal(143, RunToCompletion.ExitCodeOf(ProcessState.Completed, ExitStatus.Killed(15)));
        Assert.Equal(1, RunToCompletion.ExitCodeOf(ProcessState.Failed, ExitStatus.Exited(0)));
        Assert.Equal(1, RunToCompletion.ExitCodeOf(ProcessState.Failed, null));
        Assert.Equal(0, RunToCompletion.ExitCodeOf(ProcessState.Completed, ExitStatus.Exited(0)));
        Assert.Equal(3, RunToCompletion.ExitCodeOf(ProcessState.Completed, ExitStatus.Exited(3)));

        var declared = new[] { Declare("worker", exitOnFailure: true, kind: ProcessKind.Service) };
        var exit = new RunToCompletion(null, false).Decide(declared, [Status("worker", ProcessState.Failed, ExitStatus.Killed(9))]);
        Assert.Equal(137, exit!.Code);
        Assert.EndsWith("exit code 137 (128 + SIGKILL (9))", exit.Reason);
    }

    [Fact]
    public void Exit_code_from_ends_when_that_process_completes_or_fails_and_not_on_a_restart()
    {
        var declared = new[] { Declare("db", kind: ProcessKind.Service), Declare("tests") };
        var policy = new RunToCompletion("tests", untilDone: false);

        Assert.Null(policy.Decide(declared, [Status("db", ProcessState.Failed, ExitStatus.Exited(1)), Status("tests", ProcessState.Running)]));
        Assert.Null(policy.Decide(declared, [Status("db", ProcessState.Running), Status("tests", ProcessState.BackingOff, ExitStatus.Exited(4))]));
        // An operator's stop is not an end of the run.
        Assert.Null(policy.Decide(declared, [Status("db", ProcessState.Running), Status("tests", ProcessState.Stopped, ExitStatus.Killed(15))]));

        Assert.Equal(0, policy.Decide(declared, [Status("db", ProcessState.Running), Status("tests", ProcessState.Completed, ExitStatus.Exited(0))])!.Code);
        Assert.Equal(4, policy.Decide(declared, [Status("db", ProcessState.Running), Status("tests", ProcessState.Failed, ExitStatus.Exited(4))])!.Code);
    }

    [Fact]
    public void Until_done_ends_once_every_process_is_completed_failed_or_stopped_with_1_when_any_failed()
    {
        var declared = new[] { Declare("db", kind: ProcessKind.Service), Declare("migrate"), Declare("tests") };
        var policy = new RunToCompletion(null, untilDone: true);

        Assert.Null(policy.Decide(declared, [Status("db", ProcessState.Running), Status("migrate", ProcessState.Completed, ExitStatus.Exited(0)), Status("tests", ProcessState.Failed, ExitStatus.Exited(3))]));
        Assert.Null(policy.Decide(declared, [Status("db", ProcessState.BackingOff), Status("migrate", ProcessState.Completed), Status("tests", ProcessState.Completed)]));

        var failed = policy.Decide(declared, [Status("db", ProcessState.Stopped, ExitStatus.Killed(15)), Status("migrate", ProcessState.Completed, ExitStatus.Exited(0)), Status("tests", ProcessState.Failed, ExitStatus.Exited(3))]);
        Assert.Equal(1, failed!.Code);
        Assert.Equal("--until-done: every process is done (1 completed, 1 failed (tests), 1 stopped or waiting for a stopped dependency); exit code 1", failed.Reason);

        var passed = policy.Decide(declared, [Status("db", ProcessState.Stopped), Status("migrate", ProcessState.Completed), Status("tests", ProcessState.Completed)]);
        Assert.Equal(0, passed!.Code);
    }

    [Fact]
    public void Until_done_does_not_count_a_process_that_has_not_reported_yet_as_stopped()
    {
        var declared = new[] { Declare("migrate") };
        var policy = new RunToCompletion(null, untilDone: true);

        Assert.Null(policy.Decide(declared, [Status("migrate", ProcessState.Stopped, reported: false)]));
        Assert.Null(policy.Decide(declared, []));
    }

    [Fact]
    public void Until_done_counts_a_process_waiting_for_a_stopped_dependency_as_done_but_not_one_waiting_for_a_dependency_on_its_way()
    {
        var declared = new[]
        {
            Declare("migrate"),
            Declare("app", kind: ProcessKind.Service, dependsOn: [("migrate", DependencyCondition.Completed)]),
            Declare("edge", kind: ProcessKind.Service, dependsOn: [("app", DependencyCondition.Started)]),
        };
        var policy = new RunToCompletion(null, untilDone: true);

        Assert.Null(policy.Decide(declared, [Status("migrate", ProcessState.BackingOff), Status("app", ProcessState.Waiting), Status("edge", ProcessState.Waiting)]));
        var exit = policy.Decide(declared, [Status("migrate", ProcessState.Stopped), Status("app", ProcessState.Waiting), Status("edge", ProcessState.Waiting)]);
        Assert.Equal(0, exit!.Code);
    }

    [Fact]
    public void Only_failures_completions_and_for_until_done_stops_and_waits_are_worth_a_look()
    {
        var declared = new[] { Declare("tests") };
        Assert.True(new RunToCompletion(null, false).MayEndOn("tests", ProcessState.Failed, declared));
        Assert.False(new RunToCompletion(null, false).MayEndOn("tests", ProcessState.Completed, declared));
        Assert.True(new RunToCompletion("tests", false).MayEndOn("tests", ProcessState.Completed, declared));
        Assert.False(new RunToCompletion("tests", false).MayEndOn("db", ProcessState.Completed, declared));
        Assert.True(new RunToCompletion(null, true).MayEndOn("db", ProcessState.Stopped, declared));
        Assert.False(new RunToCompletion(null, true).MayEndOn("db", ProcessState.Running, declared));
    }

    [Fact]
    public void Services_that_always_restart_are_named_as_never_done_by_themselves()
    {
        var declared = new[] { Declare("db", kind: ProcessKind.Service), Declare("migrate"), Declare("api", kind: ProcessKind.Service) with { Restart = RestartPolicy.OnFailure } };
        Assert.Equal(["db"], RunToCompletion.NeverDoneByThemselves(declared));
    }
}
