using Actors.Supervision;
using Actors.TestKit;
using Xunit;

namespace SimulationTests;

/// <summary>
/// Four policies a team would want to be sure of, each in milliseconds of real time. The HOCON is what you would
/// put in the node's config file (or pass to WithProcessSupervision); Simulation.FromFile reads a file directly.
/// </summary>
public class PolicyTests
{
    [Fact]
    public void A_crash_loop_backs_off_1_2_4_up_to_60_s_and_gives_up_at_the_start_limit()
    {
        using var sim = Simulation.FromHocon("""
            actors.processes.worker {
              command = "/srv/worker"
              backoff { min = 1s, max = 60s, random-factor = 0, reset-after = 60s }
              start-limit { burst = 10, interval = 10m }
            }
            """).Behave("worker", "crash");

        sim.RunFor(TimeSpan.FromHours(1));

        var delays = sim.Process("worker").Trail
            .Where(t => t.State == ProcessState.BackingOff)
            .Select(t => t.Reason[(t.Reason.IndexOf("next start in ", StringComparison.Ordinal) + 14)..]);
        Assert.Equal(["1s", "2s", "4s", "8s", "16s", "32s", "60s", "60s", "60s"], delays);
        // 1 + 2 + 4 + 8 + 16 + 32 + 60 + 60 + 60 = 243 s after the first start, the tenth start fails: give up.
        sim.AssertStarts("worker", 10)
           .AssertGaveUpAt("worker", TimeSpan.FromSeconds(243))
           .AssertState("worker", ProcessState.Failed);
    }

    [Fact]
    public void A_hung_process_is_restarted_by_its_liveness_probe()
    {
        using var sim = Simulation.FromHocon("""
            actors.processes.api {
              command = "/srv/api"
              backoff.random-factor = 0
              probes.liveness { type = http, url = "http://127.0.0.1:8080/healthz", period = 10s, timeout = 2s, failure-threshold = 3 }
            }
            """).Behave("api", "hang after 5m");

        sim.RunFor(TimeSpan.FromMinutes(7));

        var api = sim.Process("api");
        // Hung at 5:00; the checks at 5:00, 5:10 and 5:20 time out, and the third failure restarts it.
        var restart = api.Trail.First(t => t.State == ProcessState.Stopping);
        Assert.Equal(TimeSpan.FromSeconds(320), restart.At);
        Assert.Contains("liveness", restart.Reason);
        sim.AssertStarts("api", 2).AssertState("api", ProcessState.Running);
    }

    [Fact]
    public void A_dependency_gates_the_start_until_its_readiness_probe_passes()
    {
        using var sim = Simulation.FromHocon("""
            actors.processes {
              db {
                command = "/usr/lib/postgresql/16/bin/postgres"
                probes.readiness { type = tcp, port = 5432, period = 2s, failure-threshold = 1 }
              }
              web {
                command = "/srv/web"
                depends-on { db = ready }
              }
            }
            """).Behave("db", "ready after 45s");

        sim.RunFor(TimeSpan.FromMinutes(2));

        var web = sim.Process("web");
        Assert.Equal(ProcessState.Waiting, web.Trail[0].State);
        Assert.Contains("waiting for db to be ready", web.Trail[0].Reason);
        // The readiness check at 46 s is the first after db is ready at 45 s; web starts in the same instant.
        Assert.Equal(TimeSpan.FromSeconds(46), sim.Process("db").TimeToReady);
        Assert.Equal(TimeSpan.FromSeconds(46), web.Trail.First(t => t.State == ProcessState.Starting).At);
        sim.AssertStarts("web", 1).AssertState("web", ProcessState.Running);
    }

    [Fact]
    public void A_job_is_retried_on_transient_codes_within_its_budget()
    {
        const string Job = """
            actors.processes.sync {
              command = "/usr/bin/rsync"
              kind = job
              transient-exit-codes = [75]
              backoff.random-factor = 0
              retry { max-attempts = 5, budget = 1m, backoff = "1s..30s" }
            }
            """;

        // Two transient failures, then a success: runs at 0, 11 and 23 s, each 10 s long.
        using (var succeeds = Simulation.FromHocon(Job).Behave("sync", "exit 75,75,0 after 10s"))
        {
            succeeds.RunFor(TimeSpan.FromMinutes(5));
            succeeds.AssertState("sync", ProcessState.Completed).AssertStarts("sync", 3);
            Assert.Equal(TimeSpan.FromSeconds(33), succeeds.Process("sync").Trail[^1].At);
        }

        // Always transient, 25 s a run: runs at 0 and 26 s; the third would start at 53 s and run past the
        // 1 minute budget, which stops it at 60 s.
        using var exhausted = Simulation.FromHocon(Job).Behave("sync", "exit 75 after 25s");
        exhausted.RunFor(TimeSpan.FromMinutes(5));
        var sync = exhausted.Process("sync");
        exhausted.AssertState("sync", ProcessState.Failed);
        Assert.Equal(3, sync.Starts);
        Assert.Equal(TimeSpan.FromSeconds(60), sync.FailedAt);
        Assert.Contains("budget", sync.Reason);
    }
}
