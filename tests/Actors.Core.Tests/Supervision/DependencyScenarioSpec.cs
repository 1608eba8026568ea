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
    public void A_dependent_of_a_dependency_that_gave_up_fails_with_that_reason_and_follows_it_when_the_operator_starts_it()
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

        sim.AssertState("db", ProcessState.Failed).AssertStarts("web", 0).AssertState("web", ProcessState.Failed);
        var web = sim.Process("web");
        Assert.StartsWith("dependency db failed (start limit hit: 2 starts within 10m", web.Reason);
        // It failed when db gave up, not later: waiting while db backed off, failed at the same instant.
        Assert.Equal(sim.Process("db").GaveUpAt, web.FailedAt);
        Assert.Equal(ProcessState.Waiting, web.Trail[^2].State);

        sim.Behave("db", "run").Start("db").RunFor(TimeSpan.FromSeconds(1));

        sim.AssertState("db", ProcessState.Ready).AssertState("web", ProcessState.Running).AssertStarts("web", 1);
        Assert.Contains(sim.Process("web").Trail, t => t.State == ProcessState.Waiting && t.Reason.EndsWith("db was started again"));
        Assert.Equal(0, sim.Process("web").Restarts);
    }

    [Fact]
    public void A_running_dependent_whose_dependency_failed_keeps_running_then_fails_at_its_restart_and_restarts_once_the_dependency_is_back()
    {
        using var sim = Sim.FromHocon("""
            actors.processes {
              db { command = "/srv/db", start-limit { burst = 1, interval = 10m } }
              web { command = "/srv/web", backoff.random-factor = 0, depends-on { db = started } }
            }
            """).Behave("db", "exit 1 after 60s").Behave("web", "exit 1 after 90s");

        sim.RunFor(TimeSpan.FromHours(1));

        // db gave up at 60 s; web kept running until its own exit at 90 s, and its restart (due at 91 s) fails on db.
        sim.AssertGaveUpAt("db", TimeSpan.FromSeconds(60)).AssertStarts("web", 1).AssertState("web", ProcessState.Failed);
        var web = sim.Process("web");
        Assert.Equal(TimeSpan.FromSeconds(91), web.FailedAt);
        Assert.StartsWith("dependency db failed (start limit hit: 1 starts within 10m", web.Reason);

        sim.Behave("db", "run").Start("db").RunFor(TimeSpan.FromSeconds(1));

        sim.AssertStarts("web", 2);
        Assert.Contains(sim.Process("web").Trail, t => t.State == ProcessState.Starting && t.Reason.StartsWith("restart 1") && t.Reason.EndsWith("dependencies met (db running)"));
    }

    [Fact]
    public void Exited_is_met_once_the_dependency_completed_or_failed_whatever_its_code()
    {
        using var sim = Sim.FromHocon("""
            actors.processes {
              migrate { kind = job, command = "/srv/migrate", retry.max-attempts = 2, backoff { min = 5s, random-factor = 0 } }
              seed { kind = job, command = "/srv/seed" }
              report { command = "/srv/report", depends-on { migrate = exited, seed = exited } }
            }
            """).Behave("migrate", "exit 3 after 10s").Behave("seed", "exit 0 after 1s");

        sim.RunFor(TimeSpan.FromMinutes(5));

        // migrate: 10 s, a 5 s backoff, 10 s again, out of attempts at 25 s; report waited through the backoff.
        sim.AssertState("migrate", ProcessState.Failed).AssertState("seed", ProcessState.Completed).AssertState("report", ProcessState.Running);
        var report = sim.Process("report");
        Assert.Equal(TimeSpan.FromSeconds(25), report.Trail.Single(t => t.State == ProcessState.Starting).At);
        Assert.Contains(report.Trail, t => t.State == ProcessState.Starting && t.Reason.EndsWith("dependencies met (migrate failed, seed completed)"));
        Assert.DoesNotContain(report.Trail, t => t.State == ProcessState.Failed);
    }

    [Fact]
    public void Ready_of_a_dependency_that_completed_can_never_be_met_so_the_dependent_fails()
    {
        using var sim = Sim.FromHocon("""
            actors.processes {
              db { command = "/srv/db", restart = on-failure }
              web { command = "/srv/web", depends-on { db = ready } }
              cron { command = "/srv/cron", depends-on { db = started } }
            }
            """).Behave("db", "exit 0 after 1s").Behave("web", "exit 0 after 2s");

        sim.RunFor(TimeSpan.FromMinutes(1));

        // web got its first start (db ran); its restart=always restart at 3 s finds db completed: never ready again.
        sim.AssertState("db", ProcessState.Completed).AssertState("web", ProcessState.Failed).AssertStarts("web", 1);
        Assert.StartsWith("dependency db completed and will not be ready again (", sim.Process("web").Reason);
        // started is met by completed: cron runs on.
        sim.AssertState("cron", ProcessState.Running);
    }

    [Fact]
    public void A_dependent_keeps_waiting_while_its_dependency_backs_off_or_is_stopped_by_the_operator()
    {
        using var sim = Sim.FromHocon("""
            actors.processes {
              migrate { kind = job, command = "/srv/migrate", retry { max-attempts = 5, backoff = "30s..30s" } }
              app { command = "/srv/app", depends-on { migrate = completed } }
            }
            """).Behave("migrate", "exit 1 after 1s");

        sim.RunFor(TimeSpan.FromSeconds(10));
        sim.AssertState("migrate", ProcessState.BackingOff).AssertState("app", ProcessState.Waiting);

        sim.Stop("migrate").RunFor(TimeSpan.FromHours(1));

        sim.AssertState("migrate", ProcessState.Stopped).AssertState("app", ProcessState.Waiting).AssertStarts("app", 0);
        Assert.Contains("waiting for migrate to be completed: migrate is stopped", sim.Process("app").Reason);
    }

    [Fact]
    public void A_chain_of_dependents_fails_down_the_chain_and_follows_back_up_when_the_root_is_started_again()
    {
        using var sim = Sim.FromHocon("""
            actors.processes {
              migrate { kind = job, command = "/srv/migrate", permanent-exit-codes = [2] }
              api { command = "/srv/api", depends-on { migrate = completed } }
              web { command = "/srv/web", depends-on { api = started } }
            }
            """).Behave("migrate", "exit 2 after 1s");

        sim.RunFor(TimeSpan.FromMinutes(1));

        sim.AssertState("migrate", ProcessState.Failed).AssertState("api", ProcessState.Failed).AssertState("web", ProcessState.Failed);
        Assert.StartsWith("dependency migrate failed (", sim.Process("api").Reason);
        Assert.StartsWith("dependency api failed (dependency migrate failed", sim.Process("web").Reason);

        sim.Behave("migrate", "exit 0 after 1s").Start("migrate").RunFor(TimeSpan.FromSeconds(10));

        sim.AssertState("migrate", ProcessState.Completed).AssertState("api", ProcessState.Running).AssertState("web", ProcessState.Running);
        sim.AssertStarts("api", 1).AssertStarts("web", 1);
    }

    [Fact]
    public void A_dependent_the_operator_stopped_after_it_failed_on_its_dependency_does_not_follow_it()
    {
        using var sim = Sim.FromHocon("""
            actors.processes {
              migrate { kind = job, command = "/srv/migrate", permanent-exit-codes = [2] }
              api { command = "/srv/api", depends-on { migrate = completed } }
            }
            """).Behave("migrate", "exit 2 after 1s");

        sim.RunFor(TimeSpan.FromMinutes(1));
        sim.AssertState("api", ProcessState.Failed);

        sim.Stop("api").Behave("migrate", "exit 0 after 1s").Start("migrate").RunFor(TimeSpan.FromMinutes(1));

        sim.AssertState("migrate", ProcessState.Completed).AssertState("api", ProcessState.Failed).AssertStarts("api", 0);

        // Its own start then runs at once: the dependency is met.
        sim.Start("api").RunFor(TimeSpan.FromSeconds(1));
        sim.AssertState("api", ProcessState.Running).AssertStarts("api", 1);
    }
}
