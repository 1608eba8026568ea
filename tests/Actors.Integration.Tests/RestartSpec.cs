using Actors.Configuration;
using Actors.Supervision;
using Xunit;

namespace Actors.Integration.Tests;

public class RestartSpec : IntegrationSpec
{
    [Fact]
    public void A_crashing_process_is_restarted_with_growing_delays()
    {
        var settings = Dummy("crasher", "exit", "3") with
        {
            Backoff = new BackoffSettings(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), 0, TimeSpan.FromSeconds(60)),
        };
        var supervisor = Supervise(settings);
        var status = AwaitStatus(supervisor, s => s.Restarts >= 3, "three restarts");
        Assert.Equal(3, status.LastExit!.Code);
        var delays = status.Trail.Where(t => t.State == ProcessState.BackingOff).Select(t => t.Reason).ToList();
        Assert.Contains(delays, r => r.Contains("next start in 50ms"));
        Assert.Contains(delays, r => r.Contains("next start in 100ms"));
        Assert.Contains(delays, r => r.Contains("next start in 200ms"));
    }

    [Fact]
    public void A_missing_command_fails_that_process_with_the_reason_and_nothing_else()
    {
        var settings = Process("ghost", "/nonexistent/bin/ghost", []) with { StartLimit = new StartLimitSettings(2, TimeSpan.FromMinutes(1)) };
        var ghost = Supervise(settings);
        var healthy = Supervise(Dummy("healthy", "hang"));
        var failed = AwaitState(ghost, ProcessState.Failed);
        Assert.Contains("command not found: /nonexistent/bin/ghost", failed.Reason);
        Assert.Equal(ProcessState.Running, AwaitState(healthy, ProcessState.Running).State);
    }

    [Fact]
    public void A_log_file_that_cannot_be_opened_fails_that_process_naming_the_path()
    {
        File.WriteAllText(Path.Combine(Dir, "blocker"), "");
        var path = Path.Combine(Dir, "blocker", "x.log");
        var settings = Dummy("unlogged", "hang") with { Log = new LogSettings(path, 1 << 20, 1, false) };
        var unlogged = Supervise(settings);
        var healthy = Supervise(Dummy("healthy", "hang"));
        var failed = AwaitState(unlogged, ProcessState.Failed);
        Assert.Contains(path, failed.Reason);
        AwaitState(healthy, ProcessState.Running);
    }

    [Fact]
    public void What_is_left_of_a_group_after_its_main_process_exits_is_stopped_before_the_restart()
    {
        var marker = Path.Combine(Dir, "bg.pid");
        var settings = Process("leaver", "/bin/sh", ["-c", $"sleep 1000 & echo $! >> {marker}; exit 1"]) with
        {
            Backoff = new BackoffSettings(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), 0, TimeSpan.FromSeconds(60)),
        };
        var supervisor = Supervise(settings);
        AwaitStatus(supervisor, s => s.Restarts >= 2, "two restarts");
        var pids = File.ReadAllLines(marker).Select(int.Parse).ToList();
        Assert.True(pids.Count >= 2);
        // Every run's background sleep but possibly the current one is gone.
        Assert.All(pids.Take(pids.Count - 1), pid => Assert.True(IsGone(pid), $"sleep {pid} survived its group's restart"));
    }
}
