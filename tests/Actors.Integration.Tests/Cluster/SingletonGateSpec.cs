using Akka.Cluster;
using Actors.Node.Cluster;
using Xunit;

namespace Actors.Integration.Tests.Cluster;

/// <summary>When a node may run singletons (SingletonGate, the one place that decides it), from its member status.</summary>
public sealed class SingletonGateSpec
{
    [Fact]
    public void A_node_may_run_singletons_only_once_it_is_up_in_a_cluster_of_min_nr_of_members()
    {
        var gate = new SingletonGate(minNrOfMembers: 3);
        Assert.Equal((false, "this node has not joined the cluster yet"), Of(gate.Decide(null, 0)));
        Assert.Equal((false, "this node is joining, not yet up"), Of(gate.Decide(MemberStatus.Joining, 0)));
        Assert.Equal((false, "the cluster is not formed yet: 2 of min-nr-of-members = 3 up"), Of(gate.Decide(MemberStatus.Up, 2)));
        Assert.True(gate.Decide(MemberStatus.Up, 3).Open);
    }

    [Fact]
    public void Once_formed_a_cluster_that_lost_a_member_still_counts_as_formed()
    {
        var gate = new SingletonGate(minNrOfMembers: 3);
        Assert.True(gate.Decide(MemberStatus.Up, 3).Open);
        Assert.True(gate.Decide(MemberStatus.Up, 2).Open);
    }

    [Theory]
    [InlineData(MemberStatus.Leaving, "this node is leaving the cluster")]
    [InlineData(MemberStatus.Exiting, "this node is exiting the cluster")]
    [InlineData(MemberStatus.Down, "this node was downed (by the split brain resolver, or by an operator)")]
    [InlineData(MemberStatus.Removed, "this node was removed from the cluster")]
    public void A_node_that_is_leaving_downed_or_removed_may_not_run_singletons(MemberStatus status, string reason)
    {
        var gate = new SingletonGate(minNrOfMembers: 1);
        Assert.True(gate.Decide(MemberStatus.Up, 1).Open);
        Assert.Equal((false, reason), Of(gate.Decide(status, 1)));
        Assert.Equal((false, "this node is no longer a member of the cluster"), Of(gate.Decide(null, 0)));
    }

    private static (bool, string) Of(Actors.Supervision.ProcessSupervisor.PlacementGate g) => (g.Open, g.Reason);
}
