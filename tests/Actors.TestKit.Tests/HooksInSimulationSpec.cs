using Actors.Supervision;
using Xunit;

namespace Actors.TestKit.Tests;

/// <summary>A simulation runs no commands: a process's hooks succeed at once, and its policy plays out as without them.</summary>
public class HooksInSimulationSpec
{
    [Fact]
    public void Hooks_are_not_run_in_a_simulation_and_a_crash_loop_with_them_gives_up_as_without()
    {
        using var sim = Simulation.FromHocon("""
            actors.processes.worker {
              command = "/usr/local/bin/worker"
              hooks { pre-start.command = "/bin/false", post-stop.command = "/bin/false" }
              log { stderr = separate, truncate-on-start = on }
              backoff { min = 1s, max = 60s, random-factor = 0, reset-after = 60s }
              start-limit { burst = 3, interval = 10m }
            }
            """).Behave("worker", Behaviour.ExitsAfter(TimeSpan.FromSeconds(10), 1));

        sim.RunFor(TimeSpan.FromMinutes(5));

        // Runs of 10 s from 0, 11 and 23 s (backoff 1 s, then 2 s): the third run's failure at 33 s gives up.
        sim.AssertStarts("worker", 3).AssertGaveUpAt("worker", TimeSpan.FromSeconds(33)).AssertState("worker", ProcessState.Failed);
    }
}

/// <summary>A simulated process "prints" its ready-log-line when its behaviour says it is ready.</summary>
public class ReadyLogLineInSimulationSpec
{
    [Fact]
    public void A_ready_log_line_process_is_ready_when_its_behaviour_is_and_gates_its_dependent()
    {
        using var sim = Simulation.FromHocon("""
            actors.processes {
              db { command = "/usr/local/bin/db", ready-log-line = "accepting connections" }
              web { command = "/usr/local/bin/web", depends-on { db = ready } }
            }
            """).Behave("db", Behaviour.ReadyAfter(TimeSpan.FromSeconds(20)));

        sim.RunFor(TimeSpan.FromMinutes(1));

        sim.AssertState("db", ProcessState.Ready);
        Assert.Equal(TimeSpan.FromSeconds(20), sim.Process("db").TimeToReady);
        Assert.Equal(TimeSpan.FromSeconds(20), sim.Process("web").TimeToReady);
        Assert.StartsWith("ready-log-line: ", sim.Process("db").Reason);
    }
}
