using Actors.Configuration;
using Actors.Leases;
using Actors.Node.Systemd;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Integration.Tests;

/// <summary>When the node tells systemd READY=1: the pure decision over the processes' states, case by case.</summary>
public sealed class StartupProgressSpec
{
    private static ProcessSettings Declared(string name, params Dependency[] dependsOn) => new(
        name, null, "/bin/true", [], false, "/", new Dictionary<string, string>(), RestartPolicy.Always, new HashSet<int>(),
        new BackoffSettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 0, TimeSpan.FromSeconds(60)),
        new StartLimitSettings(10, TimeSpan.FromMinutes(10)), new StopSettings(15, "TERM", TimeSpan.FromSeconds(10)),
        new LogSettings("/dev/null", 1 << 20, 1, false)) { DependsOn = dependsOn };

    private static ProcessStatus Status(string name, ProcessState state, bool readinessCheck = false, bool lease = false) =>
        new(name, null, state, null, null, 0, null, null, "", [], lease ? new LeaseStatus("l", false, "other:1", 1, null) : null)
        {
            Probes = readinessCheck ? [new ProbeStatus(ProbeRole.Readiness, "notify", null, null)] : [],
        };

    private static readonly Dependency DbReady = new("db", DependencyCondition.Ready);

    [Fact]
    public void Settled_states_make_the_node_ready()
    {
        var processes = new[]
        {
            Status("a", ProcessState.Running), Status("b", ProcessState.Ready, readinessCheck: true),
            Status("c", ProcessState.Completed), Status("d", ProcessState.Failed), Status("e", ProcessState.Stopped),
        };
        Assert.True(StartupProgress.AllSettled(processes, processes.Select(p => Declared(p.Name)).ToList()));
    }

    [Theory]
    [InlineData(ProcessState.Starting)]
    [InlineData(ProcessState.BackingOff)]
    [InlineData(ProcessState.Stopping)]
    public void A_process_on_its_way_holds_READY_back(ProcessState state)
    {
        var processes = new[] { Status("a", ProcessState.Running), Status("b", state) };
        Assert.False(StartupProgress.AllSettled(processes, [Declared("a"), Declared("b")]));
    }

    [Fact]
    public void Running_is_not_enough_for_a_process_with_a_readiness_check()
    {
        Assert.False(StartupProgress.AllSettled([Status("db", ProcessState.Running, readinessCheck: true)], [Declared("db")]));
    }

    [Fact]
    public void A_dependent_waiting_for_a_dependency_on_its_way_or_just_met_holds_READY_back()
    {
        var declared = new[] { Declared("db"), Declared("web", DbReady) };
        // db still starting.
        Assert.False(StartupProgress.AllSettled([Status("db", ProcessState.Starting), Status("web", ProcessState.Waiting)], declared));
        // db just got ready: web is about to start, not settled.
        Assert.False(StartupProgress.AllSettled([Status("db", ProcessState.Ready, readinessCheck: true), Status("web", ProcessState.Waiting)], declared));
    }

    [Fact]
    public void A_dependent_of_a_failed_dependency_or_of_one_waiting_for_a_foreign_lease_has_settled()
    {
        var declared = new[] { Declared("db"), Declared("web", DbReady), Declared("edge", new Dependency("web", DependencyCondition.Started)) };
        Assert.True(StartupProgress.AllSettled(
            [Status("db", ProcessState.Failed), Status("web", ProcessState.Waiting), Status("edge", ProcessState.Waiting)], declared));
        Assert.True(StartupProgress.AllSettled(
            [Status("db", ProcessState.Waiting, lease: true), Status("web", ProcessState.Waiting), Status("edge", ProcessState.Waiting)], declared));
    }

    [Fact]
    public void The_status_line_counts_states_in_their_order()
    {
        var line = StartupProgress.StatusLine([Status("a", ProcessState.Waiting), Status("b", ProcessState.Running), Status("c", ProcessState.Running), Status("d", ProcessState.BackingOff)]);
        Assert.Equal("4 processes: 2 running, 1 backing-off, 1 waiting", line);
    }
}
