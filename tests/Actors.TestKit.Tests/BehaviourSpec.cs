using Actors.Supervision;
using Xunit;

namespace Actors.TestKit.Tests;

/// <summary>Each scripted behaviour, as the real supervisors, probes and timeouts see it.</summary>
public class BehaviourSpec
{
    private const string Backoff = "backoff { min = 1s, max = 60s, random-factor = 0, reset-after = 60s }";

    private static Simulation Of(string process, string behaviour) =>
        Simulation.FromHocon($"actors.processes.p {{ command = \"/srv/p\", {Backoff}\n{process} }}").Behave("p", behaviour);

    [Fact]
    public void A_process_that_hangs_is_restarted_by_its_liveness_probe_after_failure_threshold_periods()
    {
        using var sim = Of("probes.liveness { type = exec, command = \"/bin/true\", period = 10s, failure-threshold = 3 }", "hang after 45s");

        Assert.True(sim.RunUntil(s => s.Process("p").Starts == 2, TimeSpan.FromMinutes(5)));

        // Checks at 0, 10, ... 40 s pass; 50, 60, 70 s time out: the third failure restarts it (then 1 s of backoff).
        var stopping = sim.Process("p").Trail.First(t => t.State == ProcessState.Stopping);
        Assert.Equal(TimeSpan.FromSeconds(70), stopping.At);
        Assert.Contains("liveness", stopping.Reason);
        Assert.Contains("timed out after 1s", stopping.Reason);
        Assert.Equal(TimeSpan.FromSeconds(71), sim.Now);
    }

    [Fact]
    public void A_process_ready_after_20_s_turns_ready_at_the_first_readiness_check_after_that()
    {
        using var sim = Of("probes.readiness { type = tcp, port = 5432, period = 5s, failure-threshold = 1 }", "ready after 20s");

        sim.RunFor(TimeSpan.FromMinutes(1));

        var p = sim.Process("p");
        Assert.Equal(TimeSpan.FromSeconds(20), p.TimeToReady);
        sim.AssertState("p", ProcessState.Ready).AssertStarts("p", 1);
    }

    [Fact]
    public void A_process_that_stops_heartbeating_fails_its_heartbeat_file_probe_once_the_file_is_older_than_max_age()
    {
        using var sim = Of("probes.liveness { type = heartbeat-file, path = \"beat\", max-age = 30s, period = 10s, failure-threshold = 1 }",
            "stop heartbeating after 60s");

        Assert.True(sim.RunUntil(s => s.Process("p").Count(ProcessState.Stopping) == 1, TimeSpan.FromMinutes(5)));

        // Silent from 60 s; at 90 s the file is exactly 30 s old (still fine), at 100 s it is 40 s old.
        var stopping = sim.Process("p").Trail.Single(t => t.State == ProcessState.Stopping);
        Assert.Equal(TimeSpan.FromSeconds(100), stopping.At);
        Assert.Contains("heartbeat file is 40s old", stopping.Reason);
    }

    [Fact]
    public void A_process_that_ignores_term_is_killed_when_the_stop_timeout_runs_out()
    {
        using var sim = Of("stop { signal = TERM, timeout = 15s }", "ignore-term");
        sim.RunFor(TimeSpan.FromSeconds(5));

        sim.Stop("p").RunFor(TimeSpan.FromMinutes(1));

        var stopped = sim.Process("p").Trail.Single(t => t.State == ProcessState.Stopped);
        Assert.Equal(TimeSpan.FromSeconds(20), stopped.At);
        Assert.Contains("killed", stopped.Reason);
    }

    [Fact]
    public void A_process_that_takes_3_s_to_act_on_term_stops_3_s_after_the_stop()
    {
        using var sim = Of("stop { timeout = 15s }", "ignore-term for 3s");
        sim.RunFor(TimeSpan.FromSeconds(5));

        sim.Stop("p").RunFor(TimeSpan.FromMinutes(1));

        var stopped = sim.Process("p").Trail.Single(t => t.State == ProcessState.Stopped);
        Assert.Equal(TimeSpan.FromSeconds(8), stopped.At);
        Assert.DoesNotContain("killed", stopped.Reason);
    }

    [Fact]
    public void A_process_that_fails_its_first_3_starts_then_runs_is_running_after_backoffs_of_1_2_and_4_s()
    {
        using var sim = Of("", "fail 3 times then run");

        sim.RunFor(TimeSpan.FromMinutes(1));

        sim.AssertState("p", ProcessState.Running).AssertStarts("p", 4);
        Assert.Equal(TimeSpan.FromSeconds(7), sim.Process("p").Trail.Last(t => t.State == ProcessState.Running).At);
    }

    [Fact]
    public void Exit_codes_from_a_sequence_stop_at_a_permanent_code()
    {
        using var sim = Of("permanent-exit-codes = [78]", "exit 1,1,78 after 10s");

        sim.RunFor(TimeSpan.FromMinutes(5));

        var p = sim.Process("p");
        sim.AssertState("p", ProcessState.Failed).AssertStarts("p", 3);
        Assert.Contains("78", p.Reason);
        // Runs of 10 s at 0, 11 and 23 s (delays 1 and 2 s): the third exits at 33 s.
        Assert.Equal(TimeSpan.FromSeconds(33), p.FailedAt);
    }

    [Fact]
    public void Killed_by_a_signal_reads_as_such_in_the_trail()
    {
        using var sim = Of("", "killed by SEGV after 2s");

        sim.RunFor(TimeSpan.FromSeconds(2.5));

        Assert.Contains("SIGSEGV", sim.Process("p").Reason);
        sim.AssertState("p", ProcessState.BackingOff);
    }

    [Fact]
    public void Random_exits_come_from_the_seed_a_new_draw_per_run()
    {
        static IReadOnlyList<TimeSpan> Exits(int seed)
        {
            using var seeded = Simulation.FromHocon($"actors.processes.p {{ command = \"/srv/p\", {Backoff}, start-limit {{ burst = 1000 }} }}", seed)
                .Behave("p", Behaviour.ExitsRandomly(TimeSpan.FromMinutes(2), 1, 2));
            seeded.RunFor(TimeSpan.FromHours(2));
            return seeded.Process("p").Trail.Where(t => t.State == ProcessState.BackingOff).Select(t => t.At).ToList();
        }

        var one = Exits(3);
        Assert.Equal(one, Exits(3));
        Assert.NotEqual(one, Exits(4));
        // Uptimes differ from run to run (an exponential draw each time), not one fixed period.
        var gaps = one.Zip(one.Skip(1), (a, b) => b - a).Distinct().Count();
        Assert.True(gaps > 5, $"only {gaps} different gaps between exits");
    }

    [Fact]
    public void An_operator_start_after_a_give_up_starts_afresh()
    {
        using var sim = Simulation.FromHocon($"actors.processes.p {{ command = \"/srv/p\", {Backoff}, start-limit {{ burst = 3, interval = 1m }} }}")
            .Behave("p", "crash");
        sim.RunFor(TimeSpan.FromMinutes(1)).AssertState("p", ProcessState.Failed).AssertStarts("p", 3);

        sim.Behave("p", "run").Start("p").RunFor(TimeSpan.FromSeconds(1));

        sim.AssertState("p", ProcessState.Running).AssertStarts("p", 4);
    }
}
