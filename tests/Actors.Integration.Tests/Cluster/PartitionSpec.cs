using Akka.Actor;
using Akka.Remote;
using Akka.Remote.Transport;
using Actors.Processes;
using Actors.Supervision;
using Xunit;

namespace Actors.Integration.Tests.Cluster;

/// <summary>
/// A network partition inside the test process: three members on loopback (port 0) whose transport runs through
/// Akka.Remote's throttler adapter; the third is cut off from the other two (blackhole, both ways). The split brain
/// resolver must down the side of one, which stops its node and the processes it ran, while the two keep theirs.
/// Run with keep-majority and with lease-majority on a file lease in a folder the three share.
/// </summary>
public sealed class PartitionSpec : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private const string Sleeper = "command = \"/bin/sh\", args = [\"-c\", \"while true; do sleep 0.2; done\"]";
    private const string Throttled = "akka.remote.dot-netty.tcp.applied-adapters = [\"trttl\"]";
    private readonly List<InProcessMember> _members = [];
    private readonly string _shared = Directory.CreateTempSubdirectory("actors-partition-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var member in Enumerable.Reverse(_members)) await member.DisposeAsync();
        Directory.Delete(_shared, recursive: true);
    }

    private async Task<(InProcessMember A, InProcessMember B, InProcessMember C)> FormAsync(string cluster)
    {
        var a = await Add(cluster);
        var b = await Add($"{cluster}, seed-nodes = [\"{a.Address}\"]");
        var c = await Add($"{cluster}, seed-nodes = [\"{a.Address}\"]");
        // Killing a member before every member saw every other up can down everything (keep-majority): wait for it.
        foreach (var member in _members)
            await AsyncPoll.UntilAsync(member.MembersAsync, v => v.Members.Count(m => m.Status == "up") == 3, Bound, "saw 3 members up");
        return (a, b, c);
    }

    private async Task<InProcessMember> Add(string cluster)
    {
        var member = await InProcessMember.StartAsync($"web {{ {Sleeper} }}", cluster, Throttled);
        _members.Add(member);
        return member;
    }

    /// <summary>Drops everything between the two members, both directions, on both sides.</summary>
    private static async Task CutAsync(InProcessMember one, InProcessMember other)
    {
        foreach (var (from, to) in new[] { (one, other), (other, one) })
        {
            var transport = ((RemoteActorRefProvider)((ExtendedActorSystem)from.System).Provider).Transport;
            var address = Akka.Cluster.Cluster.Get(to.System).SelfAddress;
            var done = await transport.ManagementCommand(new SetThrottle(address, ThrottleTransportAdapter.Direction.Both, Blackhole.Instance)).WaitAsync(Bound);
            Assert.True(done, $"the throttler did not take the blackhole from {from.Address} to {to.Address}");
        }
    }

    private static async Task<int> RunningWebPidAsync(InProcessMember member)
    {
        var status = await AsyncPoll.UntilAsync(member.OwnStatusAsync,
            s => s.Processes.Any(p => p.Name == "web" && p.State == ProcessState.Running && p.Pid is not null), Bound, $"ran web on {member.Address}");
        return status.Processes.Single(p => p.Name == "web").Pid!.Value;
    }

    private static bool Alive(int pid) => Directory.Exists($"/proc/{pid}") && !ProcStat.IsZombie(pid);

    private async Task AssertTheLoneSideIsDownedAndStopsItsProcessAsync(InProcessMember a, InProcessMember b, InProcessMember c)
    {
        var loneWeb = await RunningWebPidAsync(c);
        var keptWebs = new[] { await RunningWebPidAsync(a), await RunningWebPidAsync(b) };
        var lone = c.Address;

        await CutAsync(c, a);
        await CutAsync(c, b);

        // The lone side downs itself: its node ends (exit 1, saying why) and its process is stopped with it.
        await c.Ended.Task.WaitAsync(Bound);
        Assert.Equal(1, c.Outcome.Exit!.Code);
        Assert.Contains($"this node ({lone}) was removed from the cluster", c.Outcome.Exit.Reason);
        Assert.True(Poll.Until(() => !Alive(loneWeb), Bound, intervalMs: 100), $"web (pid {loneWeb}) on the downed side still runs");

        // The two remove it and keep running what they ran, the same processes.
        foreach (var survivor in new[] { a, b })
        {
            var view = await AsyncPoll.UntilAsync(survivor.MembersAsync, v => v.Members.All(m => m.Address != lone), Bound, $"removed {lone}");
            Assert.Equal(new[] { a.Address, b.Address }.Order(StringComparer.Ordinal), view.Members.Select(m => m.Address));
        }
        Assert.False(a.Ended.Task.IsCompleted || b.Ended.Task.IsCompleted, "a member of the majority side ended");
        Assert.Equal(keptWebs, new[] { await RunningWebPidAsync(a), await RunningWebPidAsync(b) });
        Assert.All(keptWebs, pid => Assert.True(Alive(pid)));
    }

    [Fact]
    public async Task Keep_majority_downs_the_member_cut_off_from_the_other_two_and_it_stops_its_processes()
    {
        var (a, b, c) = await FormAsync("split-brain-resolver = keep-majority");
        await AssertTheLoneSideIsDownedAndStopsItsProcessAsync(a, b, c);
    }

    [Fact]
    public async Task Lease_majority_on_a_shared_folder_lets_the_majority_take_the_lease_and_downs_the_member_cut_off()
    {
        var leases = Path.Combine(_shared, "sbr");
        var (a, b, c) = await FormAsync($"lease {{ folder = \"{leases}\" }}");

        await AssertTheLoneSideIsDownedAndStopsItsProcessAsync(a, b, c);

        // The lease went to the side that stayed: its newest holding names a member of the majority.
        var newest = Directory.GetFiles(leases, "actors-sbr.lease.*").OrderBy(f => long.Parse(f[(f.LastIndexOf('.') + 1)..])).Last();
        var holder = Actors.Leases.LeaseRecord.Parse(await File.ReadAllTextAsync(newest))!.Holder;
        Assert.True(holder.EndsWith("@" + a.Address, StringComparison.Ordinal) || holder == a.Address
                    || holder.EndsWith("@" + b.Address, StringComparison.Ordinal) || holder == b.Address,
            $"the lease is held by {holder}, neither {a.Address} nor {b.Address}");
    }
}
