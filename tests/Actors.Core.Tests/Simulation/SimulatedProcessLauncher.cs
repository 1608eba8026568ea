using Akka.Actor;
using Actors.Processes;

namespace Actors.Core.Tests.Simulation;

/// <summary>What one simulated run does.</summary>
public sealed record SimulatedRun
{
    /// <summary>Exits with this code after <see cref="RunFor"/>; null runs until signalled.</summary>
    public int? ExitCode { get; init; }
    public TimeSpan RunFor { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>The launch fails with this reason (e.g. "command not found: /x").</summary>
    public string? LaunchFailure { get; init; }
    /// <summary>Ignores the stop signal; only SIGKILL ends it.</summary>
    public bool IgnoresStopSignal { get; init; }
    /// <summary>Killed by this signal after <see cref="RunFor"/> (instead of exiting with a code).</summary>
    public int? KilledBySignal { get; init; }
    /// <summary>Takes this long to exit (with code 0) after the stop signal, like a service that cleans up first; null: dies at once.</summary>
    public TimeSpan? StopsAfter { get; init; }

    public static SimulatedRun Exits(int code, TimeSpan? after = null) => new() { ExitCode = code, RunFor = after ?? TimeSpan.FromMilliseconds(100) };
    public static SimulatedRun RunsForever() => new();
    public static SimulatedRun RunsUntilStoppedThenTakes(TimeSpan cleanUp) => new() { StopsAfter = cleanUp };
    public static SimulatedRun CannotLaunch(string reason) => new() { LaunchFailure = reason };
    public static SimulatedRun Killed(int signal, TimeSpan? after = null) => new() { KilledBySignal = signal, RunFor = after ?? TimeSpan.FromMilliseconds(100) };
}

/// <summary>A signal a simulated process received: to its main process only, or to its whole group.</summary>
public sealed record SimulatedSignal(string Name, int Pid, int Signal, bool WholeGroup);

/// <summary>Something the simulated "operating system" saw, told to the observer in order.</summary>
public sealed record SimulatedEvent(string Name, int Run, string What, DateTimeOffset At);

/// <summary>
/// Runs scripted "processes" on the actor system's scheduler, so supervision policy runs on virtual time
/// with <c>TestScheduler</c>: exits happen when the test advances the clock, signals act at once.
/// </summary>
public sealed class SimulatedProcessLauncher(IScheduler scheduler, Func<string, int, SimulatedRun> script, IActorRef? observer = null) : IProcessLauncher
{
    private readonly object _gate = new();
    private readonly IScheduler _scheduler = scheduler;
    private readonly Dictionary<string, int> _runs = new();
    private int _nextPid = 1000;

    public void Launch(LaunchRequest request, IActorRef replyTo)
    {
        int run, pid;
        lock (_gate)
        {
            run = _runs[request.Spec.Name] = _runs.GetValueOrDefault(request.Spec.Name) + 1;
            pid = ++_nextPid;
        }
        lock (_gate) _specs.Add(request.Spec);
        var behaviour = script(request.Spec.Name, run);
        if (behaviour.LaunchFailure is { } reason)
        {
            Observe(request.Spec.Name, run, "launch-failed");
            replyTo.Tell(new ProcessLaunchFailed(reason));
            return;
        }
        var process = new SimulatedProcess(this, request.Spec.Name, run, pid, behaviour, replyTo);
        if (!request.Ticket.TryHandOver(process)) return;
        replyTo.Tell(new ProcessLaunched(process));
        var end = behaviour.ExitCode is { } code ? ExitStatus.Exited(code)
            : behaviour.KilledBySignal is { } signal ? ExitStatus.Killed(signal)
            : null;
        if (end is not null)
        {
            process.ExitTimer = new Cancelable(_scheduler);
            _scheduler.Advanced.ScheduleOnce(behaviour.RunFor, () => process.End(end), process.ExitTimer);
        }
        // Observed last: a test that advances the clock once it saw "launched" finds the exit already due (observed
        // before the timer was set, an advance on a busy machine could pass before it and the exit never came).
        Observe(request.Spec.Name, run, "launched");
    }

    public int RunsOf(string name) { lock (_gate) return _runs.GetValueOrDefault(name); }

    /// <summary>Every signal sent to a simulated process, in order (SIGCONT included).</summary>
    public IReadOnlyList<SimulatedSignal> Signals { get { lock (_gate) return _signals.ToList(); } }

    private readonly List<SimulatedSignal> _signals = new();
    private readonly List<LaunchSpec> _specs = new();

    /// <summary>Every launch's spec (argv, environment), in order.</summary>
    public IReadOnlyList<LaunchSpec> Specs { get { lock (_gate) return _specs.ToList(); } }

    private void Record(SimulatedSignal signal) { lock (_gate) _signals.Add(signal); }

    /// <summary>How each hook run ends (it ends at once); null: every hook succeeds.</summary>
    public Func<HookRequest, HookOutcome>? Hooks { get; set; }

    private readonly List<HookRequest> _hookRuns = new();

    /// <summary>Every hook run (what it ran with), in order.</summary>
    public IReadOnlyList<HookRequest> HookRuns { get { lock (_gate) return _hookRuns.ToList(); } }

    public Task<HookOutcome> RunHookAsync(HookRequest request, CancellationToken cancellationToken)
    {
        lock (_gate) _hookRuns.Add(request);
        Observe(request.Spec.Name, RunsOf(request.Spec.Name), $"hook {request.Hook.Name}");
        return Task.FromResult(Hooks?.Invoke(request) ?? HookOutcome.Success);
    }

    private void Observe(string name, int run, string what) => observer?.Tell(new SimulatedEvent(name, run, what, _scheduler.Now));

    private sealed class SimulatedProcess(SimulatedProcessLauncher launcher, string name, int run, int pid, SimulatedRun behaviour, IActorRef owner) : IProcessHandle
    {
        private bool _alive = true;
        private bool _cleaningUp;
        public ICancelable? ExitTimer { get; set; }
        public int Pid { get; } = pid;
        public long StartTime => 0;

        /// <summary>Main process only: SIGKILL and SIGTERM end it (unless it ignores the stop signal); others are just seen.</summary>
        public bool Signal(int signal)
        {
            if (!IsGroupAlive()) return false;
            launcher.Record(new SimulatedSignal(name, Pid, signal, false));
            launcher.Observe(name, run, $"pid-signal {signal}");
            if (signal == 9 || (signal == 15 && !behaviour.IgnoresStopSignal)) End(ExitStatus.Killed(signal));
            return true;
        }

        public bool SignalGroup(int signal)
        {
            if (!IsGroupAlive()) return false;
            launcher.Record(new SimulatedSignal(name, Pid, signal, true));
            if (signal == 18) return true; // SIGCONT: a running simulated process carries on
            if (signal != 9 && behaviour.StopsAfter is { } cleanUp && !behaviour.IgnoresStopSignal)
            {
                // Clean-up timer set before the signal is observed, for the reason given at the launch: a test that
                // advances the clock once it saw the signal must find the exit already due.
                CleanUpThenExit(cleanUp);
                launcher.Observe(name, run, $"signal {signal}");
            }
            else
            {
                launcher.Observe(name, run, $"signal {signal}");
                if (signal == 9 || !behaviour.IgnoresStopSignal) End(ExitStatus.Killed(signal));
            }
            return true;
        }

        public bool IsGroupAlive() { lock (launcher._gate) return _alive; }

        /// <summary>Exits 0 once the virtual clock has moved <paramref name="cleanUp"/> on; a second stop signal changes nothing.</summary>
        private void CleanUpThenExit(TimeSpan cleanUp)
        {
            lock (launcher._gate)
            {
                if (_cleaningUp) return;
                _cleaningUp = true;
            }
            ExitTimer?.Cancel();
            ExitTimer = new Cancelable(launcher._scheduler);
            launcher._scheduler.Advanced.ScheduleOnce(cleanUp, () => End(ExitStatus.Exited(0)), ExitTimer);
        }

        public void End(ExitStatus status)
        {
            lock (launcher._gate)
            {
                if (!_alive) return;
                _alive = false;
            }
            ExitTimer?.Cancel();
            launcher.Observe(name, run, $"exited {status}");
            owner.Tell(new ProcessExited(Pid, status));
        }
    }
}
