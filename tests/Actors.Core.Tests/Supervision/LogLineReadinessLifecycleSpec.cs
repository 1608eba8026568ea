using Actors.Configuration;
using Actors.Supervision;
using Actors.Timeouts;
using Xunit;

namespace Actors.Core.Tests.Supervision;

/// <summary><c>ready-log-line</c> in the pure lifecycle: the matching line makes the run ready, once per run.</summary>
public sealed class LogLineReadinessLifecycleSpec
{
    private static ProcessSettings Watching(ProbeSettings? startup = null) =>
        LifecycleDriver.Service() with
        {
            ReadyLogLine = new ReadyLogLine("listening on"),
            Probes = new ProbesSettings(startup, null, null),
            Timeouts = new ProcessTimeouts(TimeSpan.FromSeconds(30), null),
        };

    [Fact]
    public void The_matching_line_makes_a_running_process_ready_and_meets_its_start_deadline()
    {
        var life = new LifecycleDriver(Watching());
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.RunStarted(100));
        Assert.Equal(ProcessState.Running, life.State.State);
        var waiting = Assert.Single(ProcessLifecycle.ProbesView(life.State));
        Assert.Equal((ProbeRole.Readiness, "log-line", (bool?)null), (waiting.Role, waiting.Type, waiting.Passing));

        var ready = life.Feed(new LifecycleEvent.LogLineMatched("INFO listening on :8080"));
        Assert.Equal(ProcessState.Ready, life.State.State);
        Assert.Equal("ready-log-line: INFO listening on :8080", life.State.Reason);
        Assert.Contains(ready, e => e is Effect.DisarmDeadline { Deadline: Deadline.Start });
        var check = Assert.Single(ProcessLifecycle.ProbesView(life.State));
        Assert.Equal((ProbeRole.Readiness, "log-line", (bool?)true, "INFO listening on :8080"), (check.Role, check.Type, check.Passing, check.LastCheck));
    }

    [Fact]
    public void A_second_matching_line_changes_nothing()
    {
        var life = new LifecycleDriver(Watching());
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.RunStarted(100));
        life.Feed(new LifecycleEvent.LogLineMatched("listening on a"));
        Assert.Empty(life.Feed(new LifecycleEvent.LogLineMatched("listening on b")));
        Assert.Equal("ready-log-line: listening on a", life.State.Reason);
    }

    [Fact]
    public void A_line_written_before_the_pid_is_known_counts_once_the_run_has_started()
    {
        var life = new LifecycleDriver(Watching());
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.LogLineMatched("listening on"));
        Assert.Equal(ProcessState.Starting, life.State.State);
        life.Feed(new LifecycleEvent.RunStarted(100));
        Assert.Equal(ProcessState.Ready, life.State.State);
    }

    [Fact]
    public void The_line_waits_for_the_startup_probe_to_pass()
    {
        var startup = new ProbeSettings(ProbeRole.Startup, new TcpProbeTarget("127.0.0.1", 80), TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 1, 3);
        var life = new LifecycleDriver(Watching(startup));
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.RunStarted(100));
        life.Feed(new LifecycleEvent.LogLineMatched("listening on"));
        Assert.Equal(ProcessState.Running, life.State.State);
        life.Feed(new LifecycleEvent.ProbePassed(ProbeRole.Startup, "connected"));
        Assert.Equal(ProcessState.Ready, life.State.State);
    }

    [Fact]
    public void A_restarted_run_is_not_ready_until_it_writes_the_line_again()
    {
        var life = new LifecycleDriver(Watching());
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.RunStarted(100));
        life.Feed(new LifecycleEvent.LogLineMatched("listening on"));
        life.Crash();
        life.At(TimeSpan.FromSeconds(5), new LifecycleEvent.BackoffElapsed());
        life.Feed(new LifecycleEvent.RunStarted(101));
        Assert.Equal(ProcessState.Running, life.State.State);
        life.Feed(new LifecycleEvent.LogLineMatched("listening on again"));
        Assert.Equal(ProcessState.Ready, life.State.State);
    }

    [Fact]
    public void A_start_deadline_missed_says_no_line_matched()
    {
        var life = new LifecycleDriver(Watching());
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.RunStarted(100));
        var arm = life.Effects.OfType<Effect.ArmDeadline>().Single(a => a.Deadline == Deadline.Start);
        life.At(TimeSpan.FromSeconds(30), new LifecycleEvent.DeadlinePassed(Deadline.Start, arm.After, arm.Tag));
        Assert.Equal(ProcessState.Stopping, life.State.State);
        Assert.Contains("no line of its output matched ready-log-line \"listening on\"", life.State.Reason);
    }

    [Fact]
    public void A_process_without_ready_log_line_ignores_matches()
    {
        var life = new LifecycleDriver(LifecycleDriver.Service());
        life.Feed(new LifecycleEvent.Began());
        life.Feed(new LifecycleEvent.RunStarted(100));
        Assert.Empty(life.Feed(new LifecycleEvent.LogLineMatched("listening on")));
        Assert.Equal(ProcessState.Running, life.State.State);
    }
}
