using Actors.Supervision;
using Xunit;

namespace Actors.TestKit.Tests;

/// <summary>One seed, one trail: backoff jitter and random behaviours come from the seed alone.</summary>
public class DeterminismSpec
{
    private const string Config = """
        actors.processes {
          api    { command = "/srv/api",    backoff { random-factor = 0.5 }, start-limit { burst = 10, interval = 1h } }
          worker { command = "/srv/worker", backoff { random-factor = 0.5 } }
          flaky  { command = "/srv/flaky",  backoff { random-factor = 0.2 }, start-limit { burst = 1000 } }
        }
        """;

    private static (string Timeline, string Json, IReadOnlyList<ProcessReport> Reports) Run(int seed)
    {
        using var sim = Simulation.FromHocon(Config, seed)
            .Behave("api", "crash")
            .Behave("worker", "exit 1 after 40s")
            .Behave("flaky", Behaviour.ExitsRandomly(TimeSpan.FromMinutes(5), 1, 2, 75));
        sim.RunFor(TimeSpan.FromHours(6));
        return (sim.Timeline(), sim.ToJson(), sim.Processes);
    }

    [Fact]
    public void The_same_seed_gives_a_byte_identical_trail_run_after_run()
    {
        var first = Run(seed: 7);
        var second = Run(seed: 7);

        Assert.Equal(first.Timeline, second.Timeline);
        Assert.Equal(first.Json, second.Json);
        Assert.True(first.Reports.Single(p => p.Name == "flaky").Starts > 20);
    }

    [Fact]
    public void Another_seed_draws_other_jitter_but_the_counts_jitter_cannot_change_stay_the_same()
    {
        var one = Run(seed: 1);
        var two = Run(seed: 2);

        Assert.NotEqual(one.Timeline, two.Timeline);
        // api: ten starts within the hour whatever the jitter (it crashes at once, delays are well under 6 minutes), then gives up.
        var apiOne = one.Reports.Single(p => p.Name == "api");
        var apiTwo = two.Reports.Single(p => p.Name == "api");
        Assert.Equal((10, ProcessState.Failed), (apiOne.Starts, apiOne.State));
        Assert.Equal((10, ProcessState.Failed), (apiTwo.Starts, apiTwo.State));
        Assert.NotEqual(apiOne.GaveUpAt, apiTwo.GaveUpAt);
    }
}
