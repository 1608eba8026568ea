using Akka.Actor;
using Actors.Configuration;
using Actors.Supervision;
using Actors.TestLeases;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Simulation;

/// <summary>
/// A process under a lease.class lease (Actors.TestLeases.MemoryLease, made by class name as the node makes it: the
/// supervisor's default lease factory), on virtual time. The memory lease hands out no fencing token.
/// </summary>
public class ClassLeaseSupervisionSpec : SupervisionSpec
{
    private const string Memory = "Actors.TestLeases.MemoryLease, Actors.TestLeases";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    // The memory lease is shared by name across the test process: a name of this test's own.
    private readonly string _name = "class-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-classlease-").FullName;

    protected override void AfterAll()
    {
        base.AfterAll();
        MemoryLease.Free(_name);
        Directory.Delete(_dir, recursive: true);
    }

    private string Marker => Path.Combine(_dir, "marker");

    private IActorRef SuperviseLeased(Func<string, int, SimulatedRun> script)
    {
        var settings = Process("web") with
        {
            Lease = new ProcessLeaseSettings(_name, "", Interval, TimeSpan.FromSeconds(10))
            {
                Class = Memory,
                Settings = $"marker = {System.Text.Json.JsonSerializer.Serialize(Marker)}\ngreeting = \"hi\"\n",
            },
        };
        // The default LeaseFactory: lease.class is made by name, as in the node.
        var options = Simulate(script) with { NodeId = "node-a" };
        return Sys.ActorOf(ProcessSupervisor.Props(settings, options), settings.Name);
    }

    private ProcessStatus AwaitReason(IActorRef supervisor, ProcessState state, string reason)
    {
        ProcessStatus status = null!;
        AwaitAssert(() =>
        {
            status = StatusOf(supervisor);
            Assert.Equal(state, status.State);
            Assert.Contains(reason, status.Reason);
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(5));
        return status;
    }

    private IReadOnlyList<string> EnvOfRun(int run) => Launcher.Specs[run - 1].Environment;

    [Fact]
    public void A_process_under_a_lease_class_waits_until_the_implementation_grants_it_then_runs_without_a_fencing_token()
    {
        MemoryLease.TakeBy(_name, "node-b");
        var supervisor = SuperviseLeased((_, _) => SimulatedRun.RunsForever());

        AwaitReason(supervisor, ProcessState.Waiting, $"waiting for lease {_name}");
        Assert.Equal(0, Launcher.RunsOf("web"));

        MemoryLease.Free(_name);
        // "waiting" is shown from the start, before the keeper's first try is answered and its retry armed (CI-like load
        // made an advance come first once, and the retry never came): move the clock an interval at a time until it runs.
        AwaitAssert(() =>
        {
            Clock.Advance(Interval);
            Assert.Equal(1, Launcher.RunsOf("web"));
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50));
        ExpectOs("launched");
        var running = AwaitState(supervisor, ProcessState.Running);

        Assert.Contains($"lease {_name} acquired (no fencing token)", running.Trail[^2].Reason);
        Assert.Contains($"ACTORS_LEASE_NAME={_name}", EnvOfRun(1));
        Assert.DoesNotContain(EnvOfRun(1), e => e.StartsWith("ACTORS_LEASE_TOKEN=", StringComparison.Ordinal));
        Assert.Equal(("node-a", 0L, true), (running.Lease!.Holder, running.Lease.Token, running.Lease.Held));
        Assert.Equal("node-a", MemoryLease.HolderOf(_name));
    }

    [Fact]
    public void The_implementation_gets_its_settings_and_the_lease_blocks_timing_in_its_config_block()
    {
        var supervisor = SuperviseLeased((_, _) => SimulatedRun.RunsForever());
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);

        // ttl 10s: lease-operation-timeout min(ttl/2, 5s).
        Assert.Equal(["acquired node-a greeting=hi interval=1000 ttl=10000 op=5000"], File.ReadAllLines(Marker));
    }

    [Fact]
    public void A_loss_the_implementation_reports_kills_the_group_at_once_and_the_process_waits_again()
    {
        var supervisor = SuperviseLeased((_, _) => SimulatedRun.RunsForever());
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);

        MemoryLease.TakeBy(_name, "node-b");

        ExpectOs("signal 9");
        ExpectOs("exited");
        var waiting = AwaitReason(supervisor, ProcessState.Waiting, $"waiting for lease {_name}");
        Assert.Contains(waiting.Trail, t => t.State == ProcessState.Stopping && t.Reason.StartsWith("lease lost: taken by node-b"));
        Assert.DoesNotContain(Launcher.Signals, s => s.Signal == 15);
    }

    [Fact]
    public void A_holding_the_implementation_stops_vouching_for_is_lost_at_the_next_heartbeat_interval()
    {
        var supervisor = SuperviseLeased((_, _) => SimulatedRun.RunsForever());
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);

        // Gone from the store without a word to the holder: only its CheckLease says so.
        MemoryLease.Free(_name);
        MemoryLease.TakeBy(_name, "node-b");
        Clock.Advance(Interval);

        ExpectOs("signal 9");
        var waiting = AwaitReason(supervisor, ProcessState.Waiting, $"waiting for lease {_name}");
        Assert.Contains(waiting.Trail, t => t.Reason.StartsWith("lease lost: the lease implementation no longer holds it"));
    }

    [Fact]
    public void A_node_silent_for_longer_than_the_dead_man_allows_counts_the_holding_lost_and_gives_it_back()
    {
        var supervisor = SuperviseLeased((_, _) => SimulatedRun.RunsForever());
        ExpectOs("launched");
        AwaitState(supervisor, ProcessState.Running);

        // As a frozen node sees it on waking: no confirmation for 7s, past the 5.625s the dead-man switch allows
        // (ttl 10s, heartbeat 1s, stop.timeout 10s), though the store still names it.
        Clock.Advance(TimeSpan.FromSeconds(7));

        ExpectOs("signal 9");
        AwaitAssert(() => Assert.Contains(StatusOf(supervisor).Trail,
                t => t.Reason.StartsWith("lease lost: not confirmed for 7s, longer than the 5.625s this node may count on it (stalled or frozen)")),
            TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(5));
        // Given back in the store and taken anew (a second acquisition), not the old holding carried on.
        ExpectOs("exited");
        ExpectOs("launched");
        AwaitAssert(() =>
        {
            var acquisitions = File.ReadAllLines(Marker);
            Assert.True(acquisitions.Length == 2, $"acquisitions: {string.Join(" | ", acquisitions)}; holder {MemoryLease.HolderOf(_name)}");
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(5));
        Assert.Equal("node-a", MemoryLease.HolderOf(_name));
    }
}
