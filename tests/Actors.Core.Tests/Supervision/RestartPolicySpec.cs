using Actors.Supervision;
using Actors.TestKit;
using Xunit;
using Sim = Actors.TestKit.Simulation;

namespace Actors.Core.Tests.Supervision;

/// <summary>
/// Restart policy of whole supervisors on the simulation kit (moved from ProcessSupervisorSpec): the clock jumps from
/// event to event and every actor settles in between, so the exact times are asserted and nothing waits on real time.
/// </summary>
public class RestartPolicySpec
{
    private static Sim Web(string keys, string behaviour) =>
        Sim.FromHocon($$"""
            actors.processes.web {
              command = "/srv/web"
              backoff { min = 1s, max = 60s, random-factor = 0, reset-after = 60s }
              {{keys}}
            }
            """).Behave("web", behaviour);

    private static List<string> Delays(ProcessReport report) => report.Trail
        .Where(t => t.State == ProcessState.BackingOff)
        .Select(t => t.Reason[(t.Reason.LastIndexOf("next start in ", StringComparison.Ordinal) + 14)..])
        .ToList();

    [Fact]
    public void Crash_loop_backoff_doubles_from_min_and_is_capped_at_max()
    {
        using var sim = Web("backoff.max = 8s, start-limit.burst = 100", "exit 1 after 100ms");

        sim.RunUntil(s => s.Process("web").Count(ProcessState.BackingOff) == 6, TimeSpan.FromHours(1));

        Assert.Equal(["1s", "2s", "4s", "8s", "8s", "8s"], Delays(sim.Process("web")));
        Assert.Equal(5, sim.Process("web").Restarts);
    }

    [Fact]
    public void Backoff_resets_after_the_process_stayed_up_for_reset_after()
    {
        // Runs of 100 ms, 100 ms, then 61 s (longer than reset-after = 60 s), then 100 ms again.
        using var sim = Sim.FromHocon("""
            actors.processes.web { command = "/srv/web", backoff { min = 1s, max = 60s, random-factor = 0, reset-after = 60s } }
            """).Behave("web", Behaviour.ExitsAfter(TimeSpan.FromMilliseconds(100)));
        sim.RunUntil(s => s.Process("web").Count(ProcessState.BackingOff) == 2, TimeSpan.FromMinutes(1));
        sim.Behave("web", "exit 1 after 61s");
        sim.RunUntil(s => s.Process("web").Count(ProcessState.BackingOff) == 3, TimeSpan.FromMinutes(5));
        sim.Behave("web", "exit 1 after 100ms");
        sim.RunUntil(s => s.Process("web").Count(ProcessState.BackingOff) == 4, TimeSpan.FromMinutes(5));

        Assert.Equal(["1s", "2s", "1s", "2s"], Delays(sim.Process("web")));
    }

    [Fact]
    public void Supervisor_gives_up_at_the_start_limit_and_keeps_the_reason()
    {
        using var sim = Web("start-limit { burst = 3, interval = 1m }", "exit 7 after 100ms");

        sim.RunFor(TimeSpan.FromMinutes(30));

        // Runs at 0, 1.1 and 3.2 s; the third's exit at 3.3 s gives up, and nothing starts in the half hour after.
        sim.AssertStarts("web", 3).AssertState("web", ProcessState.Failed).AssertGaveUpAt("web", TimeSpan.FromSeconds(3.3));
        Assert.Contains("start limit hit: 3 starts within 60s", sim.Process("web").Reason);
        Assert.Contains("exited with code 7", sim.Process("web").Reason);
    }

    [Fact]
    public void Start_by_request_clears_a_give_up_and_counts_starts_afresh()
    {
        using var sim = Web("start-limit { burst = 1, interval = 1m }", "exit 1 after 100ms");
        sim.RunFor(TimeSpan.FromSeconds(1)).AssertState("web", ProcessState.Failed);

        sim.Behave("web", "run").Start("web").RunFor(TimeSpan.FromMinutes(2));

        sim.AssertState("web", ProcessState.Running).AssertStarts("web", 2);
    }

    [Theory]
    [InlineData("on-failure", 0, ProcessState.Completed)]
    [InlineData("on-failure", 3, ProcessState.Completed)] // 3 is declared a success
    [InlineData("on-failure", 4, ProcessState.BackingOff)]
    [InlineData("never", 0, ProcessState.Completed)]
    [InlineData("never", 4, ProcessState.Failed)]
    [InlineData("always", 0, ProcessState.BackingOff)]
    [InlineData("always", 3, ProcessState.BackingOff)]
    public void Exit_code_and_restart_policy_decide_what_follows_an_exit(string restart, int code, ProcessState expected)
    {
        using var sim = Web($"restart = {restart}, success-exit-codes = [0, 3]", $"exit {code} after 100ms");

        sim.RunFor(TimeSpan.FromMilliseconds(500));

        sim.AssertState("web", expected);
        if (restart == "never") Assert.Contains("restart = never", sim.Process("web").Reason);
    }

    [Fact]
    public void A_process_ignoring_the_stop_signal_is_killed_after_the_stop_timeout()
    {
        using var sim = Web("stop { signal = TERM, timeout = 10s }", "ignore-term");
        sim.RunFor(TimeSpan.FromSeconds(1));

        sim.Stop("web").RunFor(TimeSpan.FromSeconds(9.9));
        sim.AssertState("web", ProcessState.Stopping);
        sim.RunFor(TimeSpan.FromSeconds(0.2));

        var stopped = sim.Process("web").Trail[^1];
        Assert.Equal((ProcessState.Stopped, TimeSpan.FromSeconds(11)), (stopped.State, stopped.At));
        Assert.Contains("killed", stopped.Reason);
    }

    [Fact]
    public void Stop_while_backing_off_cancels_the_pending_start()
    {
        using var sim = Web("", "exit 1 after 100ms");
        sim.RunFor(TimeSpan.FromMilliseconds(500)).AssertState("web", ProcessState.BackingOff);

        sim.Stop("web").RunFor(TimeSpan.FromMinutes(10));

        sim.AssertState("web", ProcessState.Stopped).AssertStarts("web", 1);
        Assert.Contains("pending restart cancelled", sim.Process("web").Reason);
    }
}
