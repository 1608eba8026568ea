using Akka.Actor;
using Actors.Configuration;
using Actors.Probes;
using Actors.Processes;

namespace Actors.TestKit;

/// <summary>
/// The operating system of a simulation: launches answer at once with a scripted process whose exit is a timer on
/// the virtual scheduler, signals act at once, and probe checks ask the process's behaviour how it is doing now.
/// Everything happens on the simulation's thread (the calling-thread dispatcher), so it needs no lock for order; the
/// lock only keeps a user's reads from another thread safe.
/// </summary>
internal sealed class SimulatedOs(VirtualScheduler scheduler, int seed)
{
    private readonly VirtualScheduler _scheduler = scheduler;

    private const int SIGKILL = 9, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23, SIGWINCH = 28;

    private readonly object _gate = new();
    private readonly Dictionary<string, Behaviour> _behaviours = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _starts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Random> _random = new(StringComparer.Ordinal);
    private readonly Dictionary<int, Run> _alive = new();
    private int _nextPid = 1000;

    public IProcessLauncher Launcher => new LauncherSeam(this);

    public void Behave(string name, Behaviour behaviour)
    {
        lock (_gate) _behaviours[name] = behaviour;
    }

    public int StartsOf(string name)
    {
        lock (_gate) return _starts.GetValueOrDefault(name);
    }

    /// <summary>A source of randomness per process, from the seed and its name alone (stable across runs and machines).</summary>
    public static Random RandomFor(int seed, string name, string purpose)
    {
        // FNV-1a: string.GetHashCode is randomised per process, this must not be.
        uint hash = 2166136261;
        foreach (var c in purpose + "/" + name) hash = (hash ^ c) * 16777619;
        return new Random(unchecked((int)hash ^ seed * 486187739));
    }

    public IProbeCheck CheckFor(ProbeSettings probe, ProbeContext context) => new Check(this, probe, context.Pid);

    private void Launch(LaunchRequest request, IActorRef replyTo)
    {
        var name = request.Spec.Name;
        Run run;
        lock (_gate)
        {
            var number = _starts[name] = _starts.GetValueOrDefault(name) + 1;
            if (!_random.TryGetValue(name, out var random)) _random[name] = random = RandomFor(seed, name, "behaviour");
            var plan = RunPlan.For(_behaviours.GetValueOrDefault(name) ?? Behaviour.RunsForever(), number, random);
            run = new Run(this, name, ++_nextPid, plan, _scheduler.Elapsed, replyTo);
            _alive[run.Pid] = run;
        }
        if (!request.Ticket.TryHandOver(run))
        {
            Forget(run);
            return;
        }
        replyTo.Tell(new ProcessLaunched(run));
        if (request.Output is { } output) run.PrintReadyLineAt(run.Plan.ReadyAt, output);
        if (run.Plan.End is { } end) run.EndAfter(end.At, end.Status);
    }

    private void Forget(Run run)
    {
        lock (_gate) _alive.Remove(run.Pid);
    }

    private Run? Find(int pid)
    {
        lock (_gate) return _alive.GetValueOrDefault(pid);
    }

    private sealed class LauncherSeam(SimulatedOs os) : IProcessLauncher
    {
        public void Launch(LaunchRequest request, IActorRef replyTo) => os.Launch(request, replyTo);
    }

    /// <summary>One run of a simulated process; its own group, with nothing in it but itself.</summary>
    private sealed class Run(SimulatedOs os, string name, int pid, RunPlan plan, TimeSpan startedAt, IActorRef owner) : IProcessHandle
    {
        private bool _alive = true, _cleaningUp;
        private ICancelable? _exit;

        public RunPlan Plan { get; } = plan;
        public int Pid { get; } = pid;
        public long StartTime => 0;
        public string Name { get; } = name;
        public TimeSpan Age => os._scheduler.Elapsed - startedAt;

        public bool Signal(int signal) => Receive(signal);

        public bool SignalGroup(int signal) => Receive(signal);

        public bool IsGroupAlive() => _alive;

        public void Release() => os.Forget(this);

        /// <summary>What Linux's default actions do, except that this process may ignore its stop signal.</summary>
        private bool Receive(int signal)
        {
            if (!_alive) return false;
            if (signal is SIGCONT or SIGCHLD or SIGURG or SIGWINCH or SIGSTOP or SIGTSTP or SIGTTIN or SIGTTOU) return true;
            if (signal == SIGKILL || !Plan.IgnoresTerm)
            {
                End(ExitStatus.Killed(signal));
                return true;
            }
            if (Plan.IgnoreTermFor is { } cleanUp && !_cleaningUp)
            {
                _cleaningUp = true;
                EndAfter(Age + cleanUp, ExitStatus.Exited(0));
            }
            return true;
        }

        /// <summary>ready-log-line: the run "prints" its ready line once it is <paramref name="age"/> old (its behaviour's "ready after").</summary>
        public void PrintReadyLineAt(TimeSpan age, Actors.Logging.ProcessLogWriter output)
        {
            const string line = "(the ready line, simulated)";
            if (age <= Age)
            {
                output.SimulateReadyLine(line);
                return;
            }
            ((IScheduler)os._scheduler).Advanced.ScheduleOnce(age - Age, () => { if (_alive) output.SimulateReadyLine(line); });
        }

        /// <summary>Ends the run at <paramref name="age"/> (its own age), replacing any end set before.</summary>
        public void EndAfter(TimeSpan age, ExitStatus status)
        {
            _exit?.Cancel();
            var timer = new Cancelable((IScheduler)os._scheduler);
            _exit = timer;
            ((IScheduler)os._scheduler).Advanced.ScheduleOnce(age - Age, () => End(status), timer);
        }

        private void End(ExitStatus status)
        {
            if (!_alive) return;
            _alive = false;
            _exit?.Cancel();
            owner.Tell(new ProcessExited(Pid, status));
        }
    }

    /// <summary>A probe check answered by the behaviour: at once, on the probe's own thread (MayBlock false).</summary>
    private sealed class Check(SimulatedOs os, ProbeSettings probe, int pid) : IProbeCheck
    {
        public bool MayBlock => false;

        // The answers that never change, made once: a day of probes is about a million checks.
        private static readonly Task<ProbeOutcome> Gone = Task.FromResult(ProbeOutcome.Fail("the process is gone"));
        private static readonly Task<ProbeOutcome> Fresh = Task.FromResult(ProbeOutcome.Pass("heartbeat fresh"));
        private static readonly Task<ProbeOutcome> NotYet = Task.FromResult(ProbeOutcome.Fail("not accepting yet (simulated start-up)"));
        private static readonly Task<ProbeOutcome> Ok = Task.FromResult(ProbeOutcome.Pass("ok"));
        private Task<ProbeOutcome>? _timedOut;

        public Task<ProbeOutcome> RunAsync(CancellationToken cancellationToken)
        {
            if (os.Find(pid) is not { } run || !run.IsGroupAlive()) return Gone;
            var age = run.Age;
            var plan = run.Plan;
            if (plan.HangsAt is { } hang && age >= hang)
                return _timedOut ??= Task.FromResult(ProbeOutcome.Fail($"timed out after {HoconScalars.Format(probe.Timeout)}"));
            if (probe.Target is HeartbeatFileProbeTarget beat)
            {
                return plan.StopsHeartbeatAt is { } stopped && age >= stopped && age - stopped > beat.MaxAge
                    ? Task.FromResult(ProbeOutcome.Fail($"heartbeat file is {HoconScalars.Format(age - stopped)} old (max-age {HoconScalars.Format(beat.MaxAge)})"))
                    : Fresh;
            }
            if (probe.Role is ProbeRole.Startup or ProbeRole.Readiness && age < plan.ReadyAt) return NotYet;
            return Ok;
        }
    }
}

/// <summary>What one run will do, worked out from the behaviour when it starts (random draws included).</summary>
internal sealed record RunPlan(TimeSpan ReadyAt, TimeSpan? HangsAt, TimeSpan? StopsHeartbeatAt, (TimeSpan At, ExitStatus Status)? End, bool IgnoresTerm, TimeSpan? IgnoreTermFor)
{
    public static RunPlan For(Behaviour behaviour, int start, Random random)
    {
        if (start <= behaviour.FailFirst)
            return new RunPlan(TimeSpan.Zero, null, null, (TimeSpan.Zero, ExitStatus.Exited(1)), behaviour.IgnoresTerm, behaviour.IgnoreTermFor);
        int run = start - behaviour.FailFirst;
        var at = TimeSpan.Zero;
        var ready = TimeSpan.Zero;
        TimeSpan? hang = null, heartbeat = null;
        (TimeSpan, ExitStatus)? end = null;
        foreach (var step in behaviour.Steps)
        {
            switch (step.Kind)
            {
                case Behaviour.StepKind.RandomExit:
                    // Exponential uptime, whole milliseconds so the trail prints the same everywhere.
                    var uptime = -Math.Log(1 - random.NextDouble()) * step.After.TotalMilliseconds;
                    at += TimeSpan.FromMilliseconds(Math.Round(uptime));
                    end = (at, ExitStatus.Exited(step.Values[random.Next(step.Values.Length)]));
                    break;
                case Behaviour.StepKind.Exit:
                    at += step.After;
                    end = (at, ExitStatus.Exited(step.Values[Math.Min(run, step.Values.Length) - 1]));
                    break;
                case Behaviour.StepKind.Killed:
                    at += step.After;
                    end = (at, ExitStatus.Killed(step.Values[0]));
                    break;
                case Behaviour.StepKind.Ready:
                    at += step.After;
                    ready = at;
                    break;
                case Behaviour.StepKind.Hang:
                    at += step.After;
                    hang ??= at;
                    break;
                case Behaviour.StepKind.StopHeartbeat:
                    at += step.After;
                    heartbeat ??= at;
                    break;
            }
        }
        return new RunPlan(ready, hang, heartbeat, end, behaviour.IgnoresTerm, behaviour.IgnoreTermFor);
    }
}
