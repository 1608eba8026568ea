using System.Diagnostics;
using Akka.Actor;
using Actors.Configuration;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Integration.Tests;

public class StopSpec : IntegrationSpec
{
    [Fact]
    public void Stop_kills_grandchildren_with_their_parent()
    {
        var supervisor = Supervise(Dummy("family", "spawn-grandchild", "3"));
        var lines = AwaitLog("family", l => l.Contains("ready"), "grandchildren started");
        var grandchildren = lines.Where(l => l.StartsWith("grandchild ")).Select(l => int.Parse(l[11..])).ToList();
        Assert.Equal(3, grandchildren.Count);
        Assert.All(grandchildren, pid => Assert.False(IsGone(pid)));

        supervisor.Tell(new StopProcess());
        ExpectMsg<ProcessStopped>(Patience);
        Assert.All(grandchildren, pid => Assert.True(IsGone(pid), $"grandchild {pid} survived the stop"));
        Assert.Equal(ProcessState.Stopped, StatusOf(supervisor).State);
    }

    [Fact]
    public void A_child_ignoring_sigterm_is_killed_after_the_stop_timeout()
    {
        var settings = Dummy("stubborn", "ignore-sigterm") with { Stop = new StopSettings(15, "TERM", TimeSpan.FromSeconds(1)) };
        var supervisor = Supervise(settings);
        AwaitLog("stubborn", l => l.Contains("ready"), "handlers installed");
        var pid = StatusOf(supervisor).Pid!.Value;

        var clock = Stopwatch.StartNew();
        supervisor.Tell(new StopProcess());
        ExpectMsg<ProcessStopped>(Patience);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        var status = StatusOf(supervisor);
        Assert.Equal(9, status.LastExit!.Signal);
        Assert.Contains("killed", status.Reason);
        Assert.True(IsGone(pid));
    }

    [Fact]
    public void A_frozen_process_is_continued_so_it_can_act_on_the_stop_signal()
    {
        var settings = Dummy("frozen", "hang") with { Stop = new StopSettings(15, "TERM", TimeSpan.FromSeconds(30)) };
        var supervisor = Supervise(settings);
        var pid = AwaitStatus(supervisor, s => s.Pid is not null, "running").Pid!.Value;
        System.Diagnostics.Process.Start("kill", ["-STOP", pid.ToString()]).WaitForExit();

        var clock = Stopwatch.StartNew();
        supervisor.Tell(new StopProcess());
        ExpectMsg<ProcessStopped>(Patience);
        // It ended by SIGTERM, long before the 30 s stop timeout would have sent SIGKILL.
        Assert.Equal(15, StatusOf(supervisor).LastExit!.Signal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Stopping_a_stopped_process_succeeds_at_once()
    {
        var supervisor = Supervise(Dummy("brief", "exit", "0") with { Restart = RestartPolicy.Never });
        AwaitState(supervisor, ProcessState.Completed);
        supervisor.Tell(new StopProcess());
        ExpectMsg<ProcessStopped>();
    }
}
