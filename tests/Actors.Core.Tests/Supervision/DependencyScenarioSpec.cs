using Actors.Supervision;
using Xunit;
using Sim = Actors.TestKit.Simulation;

namespace Actors.Core.Tests.Supervision;

/// <summary>depends-on across a whole node, on the simulation kit (moved from DependencySpec).</summary>
public class DependencyScenarioSpec
{
    [Fact]
    public void At_boot_a_dependent_starts_once_its_dependency_runs()
    {
        // Declared dependent first.
        using var sim = Sim.FromHocon("""
            actors.processes {
              web { command = "/srv/web", depends-on { db = started } }
              db { command = "/srv/db" }
            }
            """);

        sim.RunFor(TimeSpan.FromSeconds(1));

        var starts = sim.Trail.Where(t => t.State == ProcessState.Starting).Select(t => t.Process).ToList();
        Assert.Equal(["db", "web"], starts);
        Assert.Equal(ProcessState.Waiting, sim.Process("web").Trail[0].State);
        sim.AssertState("web", ProcessState.Running);
    }

    [Fact]
    public void A_dependency_that_gives_up_leaves_its_dependent_waiting_with_that_reason_until_the_operator_starts_it()
    {
        using var sim = Sim.FromHocon("""
            actors.processes {
              db {
                command = "/srv/db"
                start-limit { burst = 2, interval = 10m }
                probes.readiness { type = tcp, port = 5432, period = 1s, failure-threshold = 1 }
              }
              web { command = "/srv/web", depends-on { db = ready } }
            }
            """).Behave("db", "crash");

        sim.RunFor(TimeSpan.FromHours(1));

        sim.AssertState("db", ProcessState.Failed).AssertStarts("web", 0).AssertState("web", ProcessState.Waiting);
        Assert.Contains("waiting for db to be ready: db failed (start limit hit: 2 starts within 10m", sim.Process("web").Reason);

        sim.Behave("db", "run").Start("db").RunFor(TimeSpan.FromSeconds(1));

        sim.AssertState("db", ProcessState.Ready).AssertState("web", ProcessState.Running).AssertStarts("web", 1);
        Assert.Equal(0, sim.Process("web").Restarts);
    }

    [Fact]
    public void A_running_dependent_whose_dependency_failed_restarts_only_once_the_dependency_is_back()
    {
        using var sim = Sim.FromHocon("""
            actors.processes {
              db { command = "/srv/db", start-limit { burst = 1, interval = 10m } }
              web { command = "/srv/web", backoff.random-factor = 0, depends-on { db = started } }
            }
            """).Behave("db", "exit 1 after 60s").Behave("web", "exit 1 after 90s");

        sim.RunFor(TimeSpan.FromHours(1));

        // db gave up at 60 s; web kept running until its own exit at 90 s, and its restart (due at 91 s) waits.
        sim.AssertGaveUpAt("db", TimeSpan.FromSeconds(60)).AssertStarts("web", 1).AssertState("web", ProcessState.Waiting);
        var web = sim.Process("web");
        Assert.Equal(TimeSpan.FromSeconds(91), web.Trail[^1].At);
        Assert.Contains("waiting for db to be started: db failed (start limit hit: 1 starts within 10m", web.Reason);

        sim.Behave("db", "run").Start("db").RunFor(TimeSpan.FromSeconds(1));

        sim.AssertStarts("web", 2);
        Assert.Contains(sim.Process("web").Trail, t => t.State == ProcessState.Starting && t.Reason.StartsWith("restart 1") && t.Reason.EndsWith("dependencies met (db running)"));
    }
}
