using System.Text.Json;
using Akka.Actor;
using Actors.Supervision;
using Actors.Node.Cluster;
using Xunit;

namespace Actors.Integration.Tests.Cluster;

/// <summary>
/// Three members in this test process on loopback (port 0 each; the first forms the cluster, the others join it):
/// membership, the fleet view from DistributedData, and commands carried to the member that runs a process.
/// </summary>
public sealed class ClusterInProcessSpec : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private const string Sleeper = "command = \"/bin/sh\", args = [\"-c\", \"while true; do sleep 0.2; done\"]";
    private const string Db = $"db {{ {Sleeper}, placement {{ role = \"db\" }} }}";
    private readonly List<InProcessMember> _members = [];

    public async Task InitializeAsync()
    {
        var first = await Add($"web {{ {Sleeper} }}\n{Db}", "");
        await Add($"web {{ {Sleeper} }}\n{Db}", $"seed-nodes = [\"{first.Address}\"]");
        await Add($"web {{ {Sleeper} }}\n{Db}", $"seed-nodes = [\"{first.Address}\"], roles = [\"db\"]");
        foreach (var member in _members)
            await AsyncPoll.UntilAsync(member.MembersAsync, v => v.Members.Count(m => m.Status == "up") == 3, Bound, "saw 3 members up");
    }

    private async Task<InProcessMember> Add(string processes, string cluster)
    {
        var member = await InProcessMember.StartAsync(processes, cluster);
        _members.Add(member);
        return member;
    }

    public async Task DisposeAsync()
    {
        foreach (var member in Enumerable.Reverse(_members)) await member.DisposeAsync();
    }

    private static List<(string Name, string State, int? Pid)> Published(ClusterNode.FleetNode node)
    {
        if (node.ProcessesJson is null) return [];
        using var doc = JsonDocument.Parse(node.ProcessesJson);
        return doc.RootElement.GetProperty("processes").EnumerateArray()
            .Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("state").GetString()!,
                p.GetProperty("pid").ValueKind == JsonValueKind.Number ? p.GetProperty("pid").GetInt32() : (int?)null))
            .OrderBy(p => p.Item1, StringComparer.Ordinal).ToList();
    }

    private static async Task<List<(string, string, int?)>> Own(InProcessMember member) =>
        (await member.OwnStatusAsync()).Processes.Select(p => (p.Name, p.State.ToDisplay(), p.Pid))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ToList();

    [Fact]
    public async Task Every_member_lists_the_same_members_with_their_roles_and_one_leader()
    {
        var views = new List<ClusterNode.MembersView>();
        foreach (var member in _members) views.Add(await member.MembersAsync());
        var expected = _members.Select(m => m.Address).Order(StringComparer.Ordinal).ToList();
        foreach (var view in views)
        {
            Assert.Equal(expected, view.Members.Select(m => m.Address));
            Assert.True(view.Joined && view.Formed);
            Assert.All(view.Members, m => Assert.True(m.Reachable));
            Assert.Equal(["db"], view.Members.Single(m => m.Address == _members[2].Address).Roles);
            Assert.Single(view.Members, m => m.IsSelf);
        }
        Assert.Single(views.Select(v => v.Leader).Distinct());
        Assert.NotNull(views[0].Leader);
    }

    [Fact]
    public async Task Every_member_sees_each_members_processes_as_that_members_own_supervisor_reports_them()
    {
        // The processes settle first (all running with a pid), then every view must agree with every member's own.
        foreach (var member in _members)
            await AsyncPoll.UntilAsync(() => Own(member), own => own.All(p => p.Item2 == "running" && p.Item3 is not null), Bound, "ran every process");
        foreach (var viewer in _members)
        {
            foreach (var member in _members)
            {
                var own = await Own(member);
                await AsyncPoll.UntilAsync(viewer.FleetAsync,
                    fleet => fleet.Nodes.SingleOrDefault(n => n.Member.Address == member.Address) is { } node && Published(node).SequenceEqual(own),
                    Bound, $"showed on {viewer.Address} what {member.Address} reports ({string.Join(", ", own)})");
            }
        }
        // Placement by role: db on the member with role db only.
        Assert.Contains(await Own(_members[2]), p => p.Item1 == "db");
        Assert.DoesNotContain(await Own(_members[0]), p => p.Item1 == "db");
    }

    [Fact]
    public async Task A_stop_routed_through_one_member_stops_the_process_on_the_member_that_runs_it()
    {
        var runner = _members[2];
        await AsyncPoll.UntilAsync(() => Own(runner), own => own.Any(p => p.Item1 == "db" && p.Item2 == "running"), Bound, "ran db");
        // The asking member must have seen the runner's publication, or it cannot know who runs db.
        await AsyncPoll.UntilAsync(_members[0].FleetAsync, f => f.Nodes.Any(n => Published(n).Any(p => p.Name == "db")), Bound, "learnt who runs db");

        var routed = await _members[0].Access.Node!.Ask<ClusterNode.Routed>(new ClusterNode.RouteCommand(["db"], "stop"), Bound);

        var result = Assert.Single(routed.Results);
        Assert.Empty(routed.Unknown);
        Assert.Equal(("db", runner.Address, true), (result.Name, result.Node, result.Ok));
        Assert.Contains(await Own(runner), p => p is ("db", "stopped", null));
    }

    [Fact]
    public async Task A_name_no_member_runs_is_reported_unknown_with_the_names_the_fleet_knows()
    {
        await AsyncPoll.UntilAsync(_members[0].FleetAsync, f => f.Nodes.Any(n => Published(n).Any(p => p.Name == "db")), Bound, "learnt who runs db");
        var routed = await _members[0].Access.Node!.Ask<ClusterNode.Routed>(new ClusterNode.RouteCommand(["nosuch"], "stop"), Bound);
        Assert.Empty(routed.Results);
        Assert.Equal(["nosuch"], routed.Unknown);
        Assert.Contains("db", routed.KnownInFleet);
    }
}

/// <summary>Membership changes: a member that leaves, and a member refused for a different declaration.</summary>
public sealed class ClusterMembershipSpec : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private const string Sleeper = "command = \"/bin/sh\", args = [\"-c\", \"while true; do sleep 0.2; done\"]";
    private readonly List<InProcessMember> _members = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var member in Enumerable.Reverse(_members)) await member.DisposeAsync();
    }

    private async Task<InProcessMember> Add(string processes, string cluster)
    {
        var member = await InProcessMember.StartAsync(processes, cluster);
        _members.Add(member);
        return member;
    }

    [Fact]
    public async Task A_member_that_leaves_is_dropped_from_the_fleet_view_of_the_others()
    {
        var first = await Add($"web {{ {Sleeper} }}", "");
        var second = await Add($"web {{ {Sleeper} }}", $"seed-nodes = [\"{first.Address}\"]");
        await AsyncPoll.UntilAsync(first.FleetAsync, f => f.Nodes.Count == 2 && f.Nodes.All(n => n.ProcessesJson is not null), Bound, "showed both members' processes");
        var leaving = second.Address;

        await second.StopAsync();

        var fleet = await AsyncPoll.UntilAsync(first.FleetAsync, f => f.Nodes.All(n => n.Member.Address != leaving), Bound, $"dropped {leaving}");
        Assert.Equal([first.Address], fleet.Nodes.Select(n => n.Member.Address));
    }

    [Fact]
    public async Task A_member_whose_role_placed_declaration_differs_is_refused_with_the_difference_before_it_joins()
    {
        var first = await Add($"db {{ {Sleeper}, placement {{ role = \"db\" }} }}", "");
        await AsyncPoll.UntilAsync(first.MembersAsync, v => v.Joined, Bound, "formed the cluster");
        var other = await Add("db { command = \"/bin/sleep\", args = [\"100\"], placement { role = \"db\" } }", $"seed-nodes = [\"{first.Address}\"], roles = [\"db\"]");

        await other.Ended.Task.WaitAsync(Bound);

        var exit = other.Outcome.Exit!;
        Assert.Equal(2, exit.Code);
        Assert.Contains($"differ from those of {first.Address}", exit.Reason);
        Assert.Contains("actors.processes.db.command: \"/bin/sleep\" here, \"/bin/sh\" on " + first.Address, exit.Reason);
        Assert.False((await other.MembersAsync()).Joined);
        Assert.Equal([first.Address], (await first.MembersAsync()).Members.Select(m => m.Address));
    }
}
