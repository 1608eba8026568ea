using Actors.Hosting;
using Actors.Supervision;
using Xunit;

namespace Actors.TestKit.Tests;

/// <summary>Building a simulation, leases, operator commands, and what a failed check prints.</summary>
public class SimulationSpec
{
    [Fact]
    public void A_behaviour_for_a_name_with_replicas_scripts_every_copy_but_one_given_its_own_whichever_came_first()
    {
        using var sim = Simulation.FromHocon("""
            actors.processes.web { command = "/srv/web", replicas = 3, start-limit { burst = 2, interval = 10m } }
            """).Behave("web-2", "run").Behave("web", "crash");

        sim.RunFor(TimeSpan.FromHours(1));

        sim.AssertState("web-1", ProcessState.Failed).AssertState("web-2", ProcessState.Running).AssertState("web-3", ProcessState.Failed);
    }

    [Fact]
    public void Typed_options_simulate_like_the_hocon_they_stand_for()
    {
        var options = new ProcessSupervisionOptions();
        options.AddProcess("worker", "/srv/worker").StartLimit = new StartLimitOptions { Burst = 3, Interval = TimeSpan.FromMinutes(1) };
        options.Processes[0].Backoff = new BackoffOptions { RandomFactor = 0 };

        using var sim = Simulation.FromOptions(options).Behave("worker", Behaviour.Crashes());
        sim.RunFor(TimeSpan.FromMinutes(2));

        // Starts at 0, 1 and 3 s; the third is the last the burst allows.
        sim.AssertStarts("worker", 3).AssertGaveUpAt("worker", TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void A_config_with_errors_is_refused_with_every_problem_as_check_config_lists_it()
    {
        var e = Assert.Throws<ProcessSupervisionConfigException>(() => Simulation.FromHocon("""
            actors.processes.web { command = "/srv/web", restart = sometimes, backoff.min = fast }
            """));

        Assert.Equal(2, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.Contains("actors.processes.web.restart"));
        Assert.Contains(e.Problems, p => p.Contains("actors.processes.web.backoff.min"));
    }

    [Fact]
    public void A_behaviour_for_an_undeclared_process_names_the_declared_ones()
    {
        using var sim = Simulation.FromHocon("actors.processes { web.command = \"/srv/web\", db.command = \"/srv/db\" }");

        var e = Assert.Throws<ArgumentException>(() => sim.Behave("wbe", "crash"));
        Assert.StartsWith("no process named 'wbe' in the configuration; declared: web, db", e.Message);
    }

    [Fact]
    public void A_lease_held_by_another_node_keeps_the_process_waiting_until_it_is_freed_then_it_runs_with_the_lease()
    {
        using var sim = Simulation.FromHocon("""
            actors.processes.singleton {
              command = "/srv/singleton"
              lease { name = "singleton", folder = "/var/lib/leases", heartbeat-interval = 2s }
            }
            """).HoldLeaseElsewhere("singleton", "node-b");

        sim.RunFor(TimeSpan.FromMinutes(1));
        sim.AssertState("singleton", ProcessState.Waiting).AssertStarts("singleton", 0);
        Assert.Contains("held by node-b", sim.Process("singleton").Reason);

        sim.FreeLease("singleton").RunFor(TimeSpan.FromSeconds(2));

        sim.AssertState("singleton", ProcessState.Running).AssertStarts("singleton", 1);
        Assert.Equal(Simulation.NodeId, sim.LeaseHolder("singleton"));

        // Taken over: killed at once, waiting again.
        sim.HoldLeaseElsewhere("singleton", "node-c").RunFor(TimeSpan.FromSeconds(1));
        sim.AssertState("singleton", ProcessState.Waiting);
        Assert.Contains("held by node-c", sim.Process("singleton").Reason);
    }

    [Fact]
    public void A_failed_assertion_prints_the_process_timeline_with_virtual_timestamps_and_the_seed()
    {
        using var sim = Simulation.FromHocon("actors.processes.worker { command = \"/srv/worker\", backoff.random-factor = 0 }", seed: 5)
            .Behave("worker", "exit 1 after 40s");
        sim.RunFor(TimeSpan.FromMinutes(2));

        var e = Assert.Throws<SimulationAssertionException>(() => sim.AssertState("worker", ProcessState.Failed));

        Assert.StartsWith("worker: expected failed at 00:02:00.000, but it is running (", e.Message);
        Assert.Contains("timeline of worker (seed 5):", e.Message);
        Assert.Contains("  00:00:40.000  worker  backing-off  exited with code 1 after 40s; next start in 1s", e.Message);
        Assert.Contains("  00:00:41.000  worker  starting", e.Message);
    }

    [Fact]
    public void The_json_has_the_documented_shape()
    {
        using var sim = Simulation.FromHocon("actors.processes.worker { command = \"/srv/worker\", backoff.random-factor = 0 }")
            .Behave("worker", "exit 1 after 1.5s");
        sim.RunFor(TimeSpan.FromSeconds(2));

        using var json = System.Text.Json.JsonDocument.Parse(sim.ToJson());
        var worker = json.RootElement.GetProperty("processes")[0];
        Assert.Equal("worker", worker.GetProperty("name").GetString());
        Assert.Equal(1, worker.GetProperty("starts").GetInt32());
        Assert.Equal(0, worker.GetProperty("restarts").GetInt32());
        Assert.Equal("backing-off", worker.GetProperty("state").GetString());
        Assert.StartsWith("exited with code 1", worker.GetProperty("reason").GetString());
        var last = worker.GetProperty("trail").EnumerateArray().Last();
        Assert.Equal(1.5m, last.GetProperty("at-s").GetDecimal());
        Assert.Equal("backing-off", last.GetProperty("state").GetString());
    }
}
