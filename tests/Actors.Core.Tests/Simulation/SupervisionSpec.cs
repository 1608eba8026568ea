using Akka.Actor;
using Akka.TestKit;
using Actors.Configuration;
using Actors.Supervision;
using Actors.Timeouts;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Simulation;

/// <summary>
/// Base for policy specs: an actor system on <see cref="TestScheduler"/> (virtual time), simulated processes,
/// and helpers that wait for a state (bounded, on real time) before the test moves the clock.
/// </summary>
public abstract class SupervisionSpec(string config = "") : Akka.TestKit.Xunit2.TestKit(
    "akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"\nakka.loglevel = WARNING\n" + config)
{
    protected TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    /// <summary>Sees every launch, signal and exit of the simulated processes, in order.</summary>
    protected TestProbe Os { get; private set; } = null!;

    protected SimulatedProcessLauncher Launcher { get; private set; } = null!;

    protected static ProcessSettings Process(string name = "web") => DefaultProcess(name);

    /// <summary>An always-restarting process: backoff 1 s to 60 s without jitter, 10 starts in 10 min, TERM then KILL after 10 s.</summary>
    internal static ProcessSettings DefaultProcess(string name) => new(
        name, null, "/bin/true", [], false, "/", new Dictionary<string, string>(),
        RestartPolicy.Always, new HashSet<int>(),
        new BackoffSettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 0, TimeSpan.FromSeconds(60)),
        new StartLimitSettings(10, TimeSpan.FromMinutes(10)),
        new StopSettings(15, "TERM", TimeSpan.FromSeconds(10)),
        new LogSettings("/dev/null", 1 << 20, 1, false));

    protected SupervisorOptions Simulate(Func<string, int, SimulatedRun> script, int seed = 42)
    {
        Os = CreateTestProbe("os");
        Launcher = new SimulatedProcessLauncher(Sys.Scheduler, script, Os.Ref);
        return new SupervisorOptions(Launcher) { OpenLog = (_, _) => null, Random = new Random(seed) };
    }

    protected IActorRef Supervise(ProcessSettings settings, Func<string, int, SimulatedRun> script) =>
        Sys.ActorOf(ProcessSupervisor.Props(settings, Simulate(script)), settings.Name);

    protected ProcessStatus StatusOf(IActorRef supervisor) => supervisor.Ask<ProcessStatus>(new GetStatus(), TimeSpan.FromSeconds(3)).Result;

    /// <summary>Waits (real time, bounded) until the supervisor reports <paramref name="state"/>.</summary>
    protected ProcessStatus AwaitState(IActorRef supervisor, ProcessState state)
    {
        ProcessStatus status = null!;
        AwaitAssert(() =>
        {
            status = StatusOf(supervisor);
            Assert.Equal(state, status.State);
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(5));
        DeadlinesSettled(supervisor);
        return status;
    }

    /// <summary>
    /// Waits until the supervisor's timeout guard has handled every deadline the supervisor set so far. TestKit's
    /// TestScheduler is not atomic against <c>Advance</c>: a guard that read the clock before an advance and set its
    /// timer after it sets the timer past the advance's end, and the deadline never passes (JobSpec failed so under
    /// load). The supervisor told the guard before it answered the status, so an Identify sent now is queued behind.
    /// </summary>
    protected void DeadlinesSettled(IActorRef supervisor) =>
        Sys.ActorSelection(supervisor.Path / TimeoutGuard.ChildName).Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(5)).Wait();

    protected SimulatedEvent ExpectOs(string what)
    {
        var e = Os.ExpectMsg<SimulatedEvent>(TimeSpan.FromSeconds(5));
        Assert.StartsWith(what, e.What);
        return e;
    }

    /// <summary>The delay the supervisor chose for its pending restart.</summary>
    protected TimeSpan PendingDelay(ProcessStatus status) => status.NextStartAt!.Value - Clock.Now;
}
