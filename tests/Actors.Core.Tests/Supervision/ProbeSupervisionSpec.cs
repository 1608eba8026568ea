using Akka.Actor;
using Actors.Configuration;
using Actors.Core.Tests.Simulation;
using Actors.Probes;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Supervision;

/// <summary>
/// Probes as the supervisor uses them, on virtual time with scripted checks: startup gating, liveness restarts,
/// the ready state, and the start deadline.
/// </summary>
/// <remarks>
/// The probe actors run on the calling thread and the scripted checks answer on it: a tick the clock fires is checked,
/// and its result reported to the supervisor, before <c>Clock.Advance</c> returns. Virtual time never runs ahead of a
/// check's result, however busy the machine.
/// </remarks>
public sealed class ProbeSupervisionSpec() : SupervisionSpec(
    "akka.actor.deployment { \"/*\" { dispatcher = akka.test.calling-thread-dispatcher }\n \"/*/*\" { dispatcher = akka.test.calling-thread-dispatcher } }")
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <summary>A check whose n-th call (per run of the process, from 1) answers what the script says; counts its calls.</summary>
    private sealed class ScriptedCheck(Func<int, ProbeOutcome?> script) : IProbeCheck
    {
        private int _calls;
        private readonly List<(CancellationToken Token, Task Task)> _hung = new();
        public int Calls => Volatile.Read(ref _calls);
        public bool MayBlock => false;

        /// <summary>A hung check was cancelled by the probe and has not ended yet (the probe starts no check meanwhile).</summary>
        public bool Ending
        {
            get { lock (_hung) return _hung.Any(h => h.Token.IsCancellationRequested && !h.Task.IsCompleted); }
        }

        public Task<ProbeOutcome> RunAsync(CancellationToken cancellationToken)
        {
            var outcome = script(Interlocked.Increment(ref _calls));
            if (outcome is not null) return Task.FromResult(outcome);
            // null: the check never answers (a hung process), only the probe's timeout ends it, as soon as it cancels.
            var hung = new TaskCompletionSource<ProbeOutcome>();
            cancellationToken.Register(() => hung.TrySetResult(ProbeOutcome.Fail("cancelled")));
            lock (_hung) _hung.Add((cancellationToken, hung.Task));
            return hung.Task;
        }
    }

    private static ProbeSettings Probe(ProbeRole role, int failures = 3, int successes = 1) =>
        new(role, new HttpProbeTarget(new Uri("http://127.0.0.1:1/health")), TimeSpan.Zero, Period, TimeSpan.FromMilliseconds(500), successes, failures);

    private readonly Dictionary<ProbeRole, List<ScriptedCheck>> _checks = new();

    private IActorRef Supervise(ProcessSettings settings, Dictionary<ProbeRole, Func<int, ProbeOutcome?>> scripts)
    {
        var options = Simulate((_, _) => SimulatedRun.RunsForever()) with
        {
            ProbeChecks = (probe, _) =>
            {
                var check = new ScriptedCheck(scripts[probe.Role]);
                lock (_checks)
                {
                    if (!_checks.TryGetValue(probe.Role, out var list)) _checks[probe.Role] = list = new();
                    list.Add(check);
                }
                return check;
            },
        };
        return Sys.ActorOf(ProcessSupervisor.Props(settings, options), settings.Name);
    }

    private int Calls(ProbeRole role)
    {
        lock (_checks) return _checks.TryGetValue(role, out var list) ? list.Sum(c => c.Calls) : 0;
    }

    /// <summary>
    /// A cancelled check ends on real time (its cancellation callbacks run on the thread pool): virtual time must not
    /// run ahead of it, or the next tick finds it still outstanding and is skipped. Checked every 5 ms, not spun on: a
    /// spin takes the CPU the pool needs on a loaded machine. Bounded generously, and a miss fails here, by name.
    /// </summary>
    private void AwaitCancelledChecksEnded()
    {
        bool Ending() { lock (_checks) return _checks.Values.SelectMany(l => l).Any(c => c.Ending); }
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Ending())
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("a cancelled check did not end within 60 s");
            Thread.Sleep(5);
        }
    }

    /// <summary>
    /// A tick that a probe actor has not handled yet arms its check's timeout late in virtual time (at whatever time
    /// the test reached meanwhile), and on a loaded machine late enough that the next tick finds the check still
    /// outstanding and is skipped: the probe then acts a period late (seen: 5.1 s for 3.6 s). The advance put the due
    /// ticks and timeouts into the probe actors' mailboxes; an Identify sent to each after them is answered once they
    /// were handled. Probes are named by role and run (see ProcessSupervisorActor.Effects); one not there is skipped.
    /// </summary>
    private void AwaitProbesCaughtUp(IActorRef supervisor)
    {
        var run = Launcher.RunsOf(supervisor.Path.Name);
        foreach (var role in Enum.GetValues<ProbeRole>())
        {
            // Answered by the probe after what is queued for it, or at once (subject null) when it does not exist.
            var probe = Sys.ActorSelection(supervisor.Path / $"{HealthProbe.ChildName(role)}-{run}");
            probe.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Moves virtual time in steps of 100 ms until <paramref name="condition"/> holds on the status; bounded. The status
    /// is asked after each step: the probes' reports of that step are already in the supervisor's mailbox ahead of it.
    /// </summary>
    private ProcessStatus AdvanceUntil(IActorRef supervisor, Func<ProcessStatus, bool> condition, TimeSpan limit)
    {
        for (var passed = TimeSpan.Zero; passed <= limit; passed += TimeSpan.FromMilliseconds(100))
        {
            var status = StatusOf(supervisor);
            if (condition(status)) return status;
            AwaitCancelledChecksEnded();
            Clock.Advance(TimeSpan.FromMilliseconds(100));
            AwaitProbesCaughtUp(supervisor);
        }
        throw new TimeoutException($"not reached within {limit} of virtual time; last status: {StatusOf(supervisor)}");
    }

    [Fact]
    public void A_failing_liveness_probe_restarts_the_process_through_the_backoff()
    {
        var settings = Process() with { Probes = new ProbesSettings(null, Probe(ProbeRole.Liveness), null) };
        var web = Supervise(settings, new() { [ProbeRole.Liveness] = n => n <= 2 ? ProbeOutcome.Pass("HTTP 200") : ProbeOutcome.Fail("HTTP 500") });
        ExpectOs("launched");
        var stopped = AdvanceUntil(web, s => s.Trail.Any(t => t.State == ProcessState.Stopping), TimeSpan.FromSeconds(10));
        Assert.Contains("liveness: HTTP 500 (3 in a row)", stopped.Trail.Single(t => t.State == ProcessState.Stopping).Reason);
        ExpectOs("signal 15");
        ExpectOs("exited");
        var backingOff = AwaitState(web, ProcessState.BackingOff);
        Assert.Contains("liveness: HTTP 500 (3 in a row); exited with signal SIGTERM (15)", backingOff.Reason);
        Assert.Contains("next start in 1s", backingOff.Reason);
        Clock.Advance(PendingDelay(backingOff));
        ExpectOs("launched");
        Assert.Equal(1, AwaitState(web, ProcessState.Running).Restarts);
    }

    [Fact]
    public void A_hung_process_whose_checks_never_answer_is_restarted_after_threshold_timeouts()
    {
        var settings = Process() with { Probes = new ProbesSettings(null, Probe(ProbeRole.Liveness), null) };
        var web = Supervise(settings, new() { [ProbeRole.Liveness] = n => n == 1 ? ProbeOutcome.Pass("ok") : null });
        ExpectOs("launched");
        // Period 1s, timeout 0.5s, 3 failures: the check at 1s, 2s and 3s each time out half a second later.
        var stopped = AdvanceUntil(web, s => s.Trail.Any(t => t.State == ProcessState.Stopping), TimeSpan.FromSeconds(10));
        var stopping = stopped.Trail.Single(t => t.State == ProcessState.Stopping);
        Assert.Contains("liveness: timed out after 500ms (3 in a row)", stopping.Reason);
        Assert.True(stopping.At - stopped.Trail.First().At <= TimeSpan.FromSeconds(3.6), $"took {stopping.At - stopped.Trail.First().At}");
    }

    [Fact]
    public void The_startup_probe_gates_liveness_and_readiness()
    {
        var settings = Process() with { Probes = new ProbesSettings(Probe(ProbeRole.Startup, failures: 10), Probe(ProbeRole.Liveness), Probe(ProbeRole.Readiness)) };
        var web = Supervise(settings, new()
        {
            [ProbeRole.Startup] = n => n < 4 ? ProbeOutcome.Fail("connection refused") : ProbeOutcome.Pass("connected"),
            [ProbeRole.Liveness] = _ => ProbeOutcome.Pass("HTTP 200"),
            [ProbeRole.Readiness] = _ => ProbeOutcome.Pass("HTTP 200"),
        });
        ExpectOs("launched");
        AdvanceUntil(web, s => s.Trail.Any(t => t.Reason.StartsWith("startup probe passed")), TimeSpan.FromSeconds(10));
        Assert.Equal(0, Calls(ProbeRole.Liveness));
        Assert.Equal(0, Calls(ProbeRole.Readiness));
        var ready = AdvanceUntil(web, s => s.State == ProcessState.Ready, TimeSpan.FromSeconds(5));
        Assert.Equal("readiness: HTTP 200", ready.Reason);
        Assert.Contains(ready.Probes, p => p.Role == ProbeRole.Startup && p.Passing == true);
        Assert.Contains(ready.Probes, p => p.Role == ProbeRole.Readiness && p.Passing == true && p.LastCheck == "HTTP 200");
    }

    [Fact]
    public void Readiness_moves_the_process_between_running_and_ready_without_restarting_it()
    {
        var settings = Process() with { Probes = new ProbesSettings(null, null, Probe(ProbeRole.Readiness, failures: 1)) };
        var web = Supervise(settings, new() { [ProbeRole.Readiness] = n => n is 2 or 3 ? ProbeOutcome.Fail("HTTP 503") : ProbeOutcome.Pass("HTTP 200") });
        ExpectOs("launched");
        AdvanceUntil(web, s => s.State == ProcessState.Ready, TimeSpan.FromSeconds(5));
        var notReady = AdvanceUntil(web, s => s.State == ProcessState.Running, TimeSpan.FromSeconds(5));
        Assert.Equal("not ready: readiness: HTTP 503", notReady.Reason);
        AdvanceUntil(web, s => s.State == ProcessState.Ready, TimeSpan.FromSeconds(5));
        Assert.Equal(1, Launcher.RunsOf("web"));
    }

    [Fact]
    public void A_process_not_ready_by_the_start_timeout_is_restarted_with_what_it_waited_for()
    {
        var settings = Process() with
        {
            Probes = new ProbesSettings(null, null, Probe(ProbeRole.Readiness)),
            Timeouts = new ProcessTimeouts(TimeSpan.FromSeconds(5), null),
        };
        var web = Supervise(settings, new() { [ProbeRole.Readiness] = _ => ProbeOutcome.Fail("HTTP 503") });
        ExpectOs("launched");
        var stopped = AdvanceUntil(web, s => s.Trail.Any(t => t.State == ProcessState.Stopping), TimeSpan.FromSeconds(10));
        var stopping = stopped.Trail.Single(t => t.State == ProcessState.Stopping);
        Assert.Equal(TimeSpan.FromSeconds(5), stopping.At - stopped.Trail.First().At);
        ExpectOs("signal 15");
        var backingOff = AwaitState(web, ProcessState.BackingOff);
        Assert.Contains("start timeout: not up within 5s, it was never ready; last check: HTTP 503", backingOff.Reason);
    }

    [Fact]
    public void A_process_that_became_ready_in_time_is_not_touched_by_the_start_timeout()
    {
        var settings = Process() with
        {
            Probes = new ProbesSettings(null, null, Probe(ProbeRole.Readiness)),
            Timeouts = new ProcessTimeouts(TimeSpan.FromSeconds(5), null),
        };
        var web = Supervise(settings, new() { [ProbeRole.Readiness] = n => n == 1 ? ProbeOutcome.Pass("HTTP 200") : ProbeOutcome.Fail("HTTP 503") });
        ExpectOs("launched");
        AdvanceUntil(web, s => s.State == ProcessState.Ready, TimeSpan.FromSeconds(3));
        var status = AdvanceUntil(web, s => s.State == ProcessState.Running, TimeSpan.FromSeconds(10));
        Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.StartsWith("not ready: readiness: HTTP 503", status.Reason);
        Assert.Equal(1, Launcher.RunsOf("web"));
    }

    [Fact]
    public void An_operator_stop_stops_the_probes_and_a_late_failure_changes_nothing()
    {
        var settings = Process() with { Probes = new ProbesSettings(null, Probe(ProbeRole.Liveness, failures: 1), null) };
        var web = Supervise(settings, new() { [ProbeRole.Liveness] = n => n == 1 ? ProbeOutcome.Pass("ok") : ProbeOutcome.Fail("HTTP 500") });
        ExpectOs("launched");
        AwaitState(web, ProcessState.Running);
        web.Tell(new StopProcess());
        ExpectOs("signal 15");
        ExpectOs("exited");
        ExpectMsg<ProcessStopped>();
        Clock.Advance(TimeSpan.FromSeconds(5));
        var stopped = AwaitState(web, ProcessState.Stopped);
        Assert.Equal(1, Launcher.RunsOf("web"));
        Assert.DoesNotContain(stopped.Trail, t => t.Reason.Contains("liveness"));
    }
}
