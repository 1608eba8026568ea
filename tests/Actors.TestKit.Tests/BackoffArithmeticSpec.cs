using Actors.Supervision;
using Xunit;

namespace Actors.TestKit.Tests;

/// <summary>Give-up times and start counts checked against the backoff arithmetic done by hand.</summary>
public class BackoffArithmeticSpec
{
    private static string Worker(int burst, string interval = "10m", double randomFactor = 0) => $$"""
        actors.processes.worker {
          command = "/usr/local/bin/worker"
          backoff { min = 1s, max = 60s, random-factor = {{randomFactor.ToString(System.Globalization.CultureInfo.InvariantCulture)}}, reset-after = 60s }
          start-limit { burst = {{burst}}, interval = {{interval}} }
        }
        """;

    private static List<double> Delays(ProcessReport report) => report.Trail
        .Where(t => t.State == ProcessState.BackingOff)
        .Select(t => double.Parse(System.Text.RegularExpressions.Regex.Match(t.Reason, @"next start in ([\d.]+)s").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
        .ToList();

    [Fact]
    public void A_crash_loop_backs_off_1_2_4_to_60_s_and_the_start_limit_gives_up_at_the_tenth_start_at_4m03s()
    {
        using var sim = Simulation.FromHocon(Worker(burst: 10)).Behave("worker", Behaviour.Crashes());

        sim.RunFor(TimeSpan.FromHours(1));

        var worker = sim.Process("worker");
        // Starts at 0, 1, 3, 7, 15, 31, 63, 123, 183, 243 s: the delays double from 1 s and stop at max = 60 s.
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60, 60], Delays(worker));
        // 1+2+4+8+16+32+60+60+60 = 243 s: the tenth start, within 10 min of the first, is the last the burst allows.
        sim.AssertStarts("worker", 10).AssertGaveUpAt("worker", TimeSpan.FromSeconds(243)).AssertState("worker", ProcessState.Failed);
        Assert.Contains("start limit hit: 10 starts within 10m", worker.Reason);
        Assert.Equal(9, worker.Restarts);
        Assert.Equal(TimeSpan.FromSeconds(243), worker.TimeIn(ProcessState.BackingOff));
    }

    [Fact]
    public void A_day_of_a_crash_loop_under_a_start_limit_it_never_reaches_makes_1445_starts_one_a_minute_after_the_first_63_s()
    {
        // At most 15 starts fall in any 10 minutes (0, 1, 3, 7, 15, 31, 63, 123 ... 543 s): a burst of 100 never gives up.
        using var sim = Simulation.FromHocon(Worker(burst: 100)).Behave("worker", "crash");

        sim.RunFor(TimeSpan.FromHours(24));

        // 6 starts before 63 s (0, 1, 3, 7, 15, 31), then one at 63 + 60k s for k = 0 .. 1438 (63 + 60 * 1438 = 86343 <= 86400).
        var worker = sim.Process("worker");
        Assert.Equal(6 + 1439, worker.Starts);
        Assert.Equal(ProcessState.BackingOff, worker.State);
        Assert.Null(worker.GaveUpAt);
        Assert.Equal(TimeSpan.FromSeconds(86343), worker.Trail.Last(t => t.State == ProcessState.Starting).At);
    }

    [Fact]
    public void Stable_uptime_of_reset_after_brings_the_delay_back_to_min()
    {
        // Each run lasts 90 s, longer than reset-after = 60 s: every restart is a first one again.
        using var sim = Simulation.FromHocon(Worker(burst: 100)).Behave("worker", "exit 1 after 90s");

        sim.RunFor(TimeSpan.FromMinutes(10));

        Assert.All(Delays(sim.Process("worker")), d => Assert.Equal(1, d));
        // Runs start at 0, 91, 182, ... 546 s: 7 by 10 minutes.
        sim.AssertStarts("worker", 7);
    }
}
