using Actors.Supervision;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Hosting.Tests;

public sealed class ProcessHealthSpec
{
    private static ProcessStatus Status(string name, ProcessState state) =>
        new(name, null, state, null, null, 0, null, null, "because", []);

    [Fact]
    public void Every_process_where_it_should_be_is_Healthy()
    {
        var result = ProcessHealth.Judge([Status("a", ProcessState.Running), Status("b", ProcessState.Stopped), Status("c", ProcessState.Completed)], new HashSet<string> { "a" });
        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public void A_process_backing_off_or_a_non_critical_failure_is_Degraded()
    {
        Assert.Equal(HealthStatus.Degraded, ProcessHealth.Judge([Status("a", ProcessState.Running), Status("b", ProcessState.BackingOff)], new HashSet<string>()).Status);
        Assert.Equal(HealthStatus.Degraded, ProcessHealth.Judge([Status("a", ProcessState.Failed)], new HashSet<string> { "b" }).Status);
    }

    [Fact]
    public void A_failed_critical_process_is_Unhealthy_and_named()
    {
        var result = ProcessHealth.Judge([Status("db", ProcessState.Failed), Status("b", ProcessState.BackingOff)], new HashSet<string> { "db" });
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("db failed", result.Description);
    }
}
