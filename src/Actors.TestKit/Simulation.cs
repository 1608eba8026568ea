using Akka.Actor;
using Akka.Configuration;
using Actors.Configuration;
using Actors.Hosting;
using Actors.Supervision;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.TestKit;

/// <summary>
/// A whole supervision run on virtual time: the real node supervisor, process supervisors, probes, timeouts,
/// dependencies and leases, from the settings a node or <c>WithProcessSupervision</c> takes, with every OS process
/// replaced by a scripted <see cref="Behaviour"/> (and every probe check answered by it). Time is a discrete-event
/// loop: <see cref="RunFor"/> jumps straight to the next due timer, lets every actor settle on this thread (no
/// real-time waits), and moves on, so a day of a crash loop takes milliseconds. One <see cref="Seed"/> drives backoff
/// jitter and random behaviours: the same seed gives the same trail, byte for byte. Not thread-safe: drive it from
/// one thread (a test). Dispose it (it owns an ActorSystem).
/// </summary>
public sealed class Simulation : IDisposable
{
    private const string CallingThread = "\"Akka.TestKit.CallingThreadDispatcherConfigurator, Akka.TestKit\"";

    private static readonly string SystemHocon = $"""
        akka.loglevel = OFF
        akka.stdout-loglevel = OFF
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        akka.actor.default-dispatcher.type = {CallingThread}
        akka.actor.internal-dispatcher.type = {CallingThread}
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        {VirtualScheduler.Hocon}
        """;

    private readonly ActorsSettings _settings;
    private readonly Dictionary<string, Behaviour> _behaviours = new(StringComparer.Ordinal);
    private readonly SimulatedLeases _leases = new();
    private readonly List<TrailEntry> _trail = new();
    // The same entries by process: a report of each of 100 processes must not scan the whole trail each time.
    private readonly Dictionary<string, List<TrailEntry>> _trailOf = new(StringComparer.Ordinal);
    private ActorSystem? _system;
    private VirtualScheduler? _scheduler;
    private SimulatedOs? _os;
    private IActorRef? _inbox;
    private object? _lastReply;
    // The restart counts last seen, so that a report taken after Dispose still has them.
    private readonly Dictionary<string, int> _restarts = new(StringComparer.Ordinal);

    private Simulation(ActorsSettings settings, int seed)
    {
        _settings = settings;
        Seed = seed;
    }

    /// <summary>The seed of backoff jitter and random behaviours.</summary>
    public int Seed { get; }

    /// <summary>The declared processes, in declaration order.</summary>
    public IReadOnlyList<string> ProcessNames => _settings.Processes.Select(p => p.Name).ToList();

    /// <summary>Virtual time since the simulation began.</summary>
    public TimeSpan Now => _scheduler?.Elapsed ?? TimeSpan.Zero;

    /// <summary>Every transition of every process so far, in the order they happened.</summary>
    public IReadOnlyList<TrailEntry> Trail => _trail.ToList();

    /// <summary>From HOCON text, as in a node's config file or <c>WithProcessSupervision(hocon)</c>; relative paths against <paramref name="baseDirectory"/>.</summary>
    /// <exception cref="ProcessSupervisionConfigException">The configuration has problems; every one is listed, as check-config lists them.</exception>
    public static Simulation FromHocon(string hocon, int seed = 1, string? baseDirectory = null) =>
        FromResult(ConfigLoader.LoadText(hocon, null, baseDirectory ?? Environment.CurrentDirectory), seed);

    /// <summary>From a node's config file.</summary>
    /// <exception cref="ProcessSupervisionConfigException">The file has problems; every one is listed, as check-config lists them.</exception>
    public static Simulation FromFile(string path, int seed = 1) => FromResult(ConfigLoader.LoadFile(path), seed);

    /// <summary>From the typed options of <c>WithProcessSupervision</c> (and HOCON beside them, if the app has both).</summary>
    /// <exception cref="ProcessSupervisionConfigException">The options have problems; every one is listed.</exception>
    public static Simulation FromOptions(ProcessSupervisionOptions options, string hocon = "", int seed = 1) =>
        new(SupervisionConfig.Read(hocon, options), seed);

    /// <summary>From settings already read and validated (<see cref="ConfigLoader"/>).</summary>
    public static Simulation FromSettings(ActorsSettings settings, int seed = 1) => new(settings, seed);

    private static Simulation FromResult(ConfigLoadResult result, int seed) =>
        result.Settings is { } settings && result.IsValid
            ? new Simulation(settings, seed)
            : throw new ProcessSupervisionConfigException(result.Errors.Select(e => e.ToString()).ToList());

    // Copies given a behaviour of their own: a later behaviour for their declared name leaves them alone.
    private readonly HashSet<string> _namedAlone = new(StringComparer.Ordinal);

    /// <summary>What <paramref name="process"/> does from its next start on (set before the first run for all of them).</summary>
    /// <exception cref="ArgumentException">No process has that name.</exception>
    public Simulation Behave(string process, Behaviour behaviour)
    {
        // A declared name with replicas means each copy of it, as on the node; a copy's own name that one, and it wins
        // over its name's, whichever came first.
        var single = _settings.Processes.Any(p => p.Name == process);
        if (single) _namedAlone.Add(process);
        List<string> copies = single ? [process]
            : _settings.Processes.Where(p => p.Group == process && !_namedAlone.Contains(p.Name)).Select(p => p.Name).ToList();
        if (!single && _settings.Processes.All(p => p.Group != process))
            throw new ArgumentException($"no process named '{process}' in the configuration; declared: {string.Join(", ", ProcessNames)}", nameof(process));
        foreach (var copy in copies)
        {
            _behaviours[copy] = behaviour;
            _os?.Behave(copy, behaviour);
        }
        return this;
    }

    /// <summary>As <see cref="Behave(string, Behaviour)"/>, in the grammar of <c>actors simulate --behave</c>.</summary>
    /// <exception cref="FormatException">The text is not in the grammar; the message says what was not understood.</exception>
    public Simulation Behave(string process, string behaviour) => Behave(process, Behaviour.Parse(behaviour));

    /// <summary>Runs <paramref name="duration"/> of virtual time (the processes start at the first run).</summary>
    public Simulation RunFor(TimeSpan duration)
    {
        var scheduler = Boot();
        var end = scheduler.Elapsed + duration;
        while (scheduler.RunNext(end)) { }
        scheduler.MoveTo(end);
        return this;
    }

    /// <summary>
    /// Runs until <paramref name="condition"/> holds (checked after every event) or <paramref name="limit"/> of
    /// virtual time has passed; true when the condition holds. The clock stops at the event that made it true.
    /// </summary>
    public bool RunUntil(Func<Simulation, bool> condition, TimeSpan limit)
    {
        var scheduler = Boot();
        if (condition(this)) return true;
        var end = scheduler.Elapsed + limit;
        while (scheduler.RunNext(end))
        {
            if (condition(this)) return true;
        }
        scheduler.MoveTo(end);
        return condition(this);
    }

    /// <summary>An operator's <c>actors start NAME</c>, now.</summary>
    public Simulation Start(string process) => Command(process, new StartProcess());

    /// <summary>An operator's <c>actors stop NAME</c>, now.</summary>
    public Simulation Stop(string process) => Command(process, new StopProcess());

    /// <summary>An operator's <c>actors restart NAME</c>, now.</summary>
    public Simulation Restart(string process) => Command(process, new RestartProcess());

    /// <summary>Another node takes lease <paramref name="lease"/> (a holder of ours loses it at once).</summary>
    public Simulation HoldLeaseElsewhere(string lease, string holder = "another-node")
    {
        _leases.TakeBy(lease, holder);
        return this;
    }

    /// <summary>The holder of lease <paramref name="lease"/> lets it go (it is free for whoever tries next).</summary>
    public Simulation FreeLease(string lease)
    {
        _leases.Free(lease);
        return this;
    }

    /// <summary>Who holds lease <paramref name="lease"/> now: <c>simulated-node</c> (ours), another holder, or null.</summary>
    public string? LeaseHolder(string lease) => _leases.HolderOf(lease);

    /// <summary>The node id our side holds leases as.</summary>
    public const string NodeId = "simulated-node";

    /// <summary>What <paramref name="process"/> did so far.</summary>
    public ProcessReport Process(string process)
    {
        if (_settings.Processes.All(p => p.Name != process))
            throw new ArgumentException($"no process named '{process}'; declared: {string.Join(", ", ProcessNames)}", nameof(process));
        if (_system is not null && Ask<ProcessStatus>(process, new GetStatus()) is { } status) _restarts[process] = status.Restarts;
        return new ProcessReport(process, _os?.StartsOf(process) ?? 0, _restarts.GetValueOrDefault(process),
            TrailOf(process).ToList(), Now, "start limit hit");
    }

    /// <summary>What every process did so far, in declaration order.</summary>
    public IReadOnlyList<ProcessReport> Processes => ProcessNames.Select(Process).ToList();

    /// <summary>Every transition so far, one a line (or only those of <paramref name="process"/>).</summary>
    public string Timeline(string? process = null) =>
        TestKit.Timeline.Format(process is null ? _trail : TrailOf(process));

    /// <summary>The per-process summary table.</summary>
    public string Summary() => TestKit.Timeline.Summary(Processes);

    /// <summary>The JSON <c>actors simulate --json</c> prints.</summary>
    public string ToJson() => TestKit.Timeline.Json(Processes);

    /// <summary>Fails (with the process's timeline) unless <paramref name="process"/> is in <paramref name="state"/> now.</summary>
    public Simulation AssertState(string process, ProcessState state)
    {
        var report = Process(process);
        if (report.State != state)
            Fail($"{process}: expected {state.ToDisplay()} at {TestKit.Timeline.Stamp(Now)}, but it is {report.State.ToDisplay()} ({report.Reason})", process);
        return this;
    }

    /// <summary>Fails (with the process's timeline) unless <paramref name="process"/> was launched exactly <paramref name="starts"/> times.</summary>
    public Simulation AssertStarts(string process, int starts)
    {
        var report = Process(process);
        if (report.Starts != starts) Fail($"{process}: expected {starts} start(s), but it was started {report.Starts} time(s)", process);
        return this;
    }

    /// <summary>Fails (with the process's timeline) unless the start limit gave up on <paramref name="process"/> exactly at <paramref name="at"/>.</summary>
    public Simulation AssertGaveUpAt(string process, TimeSpan at)
    {
        var report = Process(process);
        if (report.GaveUpAt != at)
            Fail($"{process}: expected the start limit to give up at {TestKit.Timeline.Stamp(at)}, but " +
                (report.GaveUpAt is { } when ? $"it gave up at {TestKit.Timeline.Stamp(when)}" : "it never gave up"), process);
        return this;
    }

    /// <summary>Fails (with the whole timeline, or <paramref name="process"/>'s) unless <paramref name="condition"/> holds.</summary>
    public Simulation AssertThat(bool condition, string what, string? process = null)
    {
        if (!condition) Fail(what, process);
        return this;
    }

    private void Fail(string what, string? process)
    {
        const int Shown = 200;
        var trail = (process is null ? _trail : TrailOf(process)).ToList();
        var omitted = Math.Max(0, trail.Count - Shown);
        throw new SimulationAssertionException(
            $"{what}\n\ntimeline{(process is null ? "" : " of " + process)} (seed {Seed}{(omitted > 0 ? $", the first {omitted} transitions left out" : "")}):\n" +
            TestKit.Timeline.Format(trail.Skip(omitted)));
    }

    private IReadOnlyList<TrailEntry> TrailOf(string process) => _trailOf.TryGetValue(process, out var trail) ? trail : [];

    private void Record(TrailEntry entry)
    {
        _trail.Add(entry);
        if (!_trailOf.TryGetValue(entry.Process, out var trail)) _trailOf[entry.Process] = trail = new List<TrailEntry>();
        trail.Add(entry);
    }

    private Simulation Command(string process, IProcessCommand command)
    {
        if (_settings.Processes.All(p => p.Name != process))
            throw new ArgumentException($"no process named '{process}'; declared: {string.Join(", ", ProcessNames)}", nameof(process));
        Boot();
        _system!.ActorSelection($"/user/{NodeSupervisor.Name}/{process}").Tell(command, _inbox);
        return this;
    }

    /// <summary>Asks a process's supervisor; with every actor on this thread the answer is there when Tell returns.</summary>
    private T? Ask<T>(string process, object message) where T : class
    {
        _lastReply = null;
        _system!.ActorSelection($"/user/{NodeSupervisor.Name}/{process}").Tell(message, _inbox);
        return _lastReply as T;
    }

    private VirtualScheduler Boot()
    {
        if (_scheduler is not null) return _scheduler;
        var system = ActorSystem.Create("simulation", ConfigurationFactory.ParseString(SystemHocon));
        _system = system;
        var scheduler = (VirtualScheduler)system.Scheduler;
        _os = new SimulatedOs(scheduler, Seed);
        foreach (var (name, behaviour) in _behaviours) _os.Behave(name, behaviour);
        _inbox = system.ActorOf(FactoryProps.Of(() => new Recorder(this)), "simulation");
        system.EventStream.Subscribe(_inbox, typeof(NodeSupervisor.ProcessTransitioned));
        var seed = Seed;
        var options = new SupervisorOptions(_os.Launcher)
        {
            // Nothing is logged; a ready-log-line process gets a writer into /dev/null whose watch its behaviour's
            // "ready after" answers (SimulatedOs).
            OpenLog = (settings, tail) => settings.ReadyLogLine is null ? null
                : new Actors.Logging.ProcessLogWriter(new LogSettings("/dev/null", 1 << 20, 0, false), tail),
            ProbeChecks = _os.CheckFor,
            RandomFor = name => SimulatedOs.RandomFor(seed, name, "backoff"),
            LeaseFactory = _leases.For,
            NodeId = NodeId,
        };
        system.ActorOf(NodeSupervisor.Props(_settings, options), NodeSupervisor.Name);
        _scheduler = scheduler;
        return scheduler;
    }

    /// <summary>Ends the simulation and its ActorSystem.</summary>
    public void Dispose()
    {
        if (_system is null) return;
        foreach (var name in ProcessNames) Process(name);
        // The processes are simulated: nothing outlives the system. Terminating may wait on a timer of the stopped
        // virtual clock; the bound keeps a test from hanging on it.
        _system.Terminate().Wait(TimeSpan.FromSeconds(10));
        _system = null;
    }

    /// <summary>Keeps the transitions the node publishes, and the answers of the supervisors it asked.</summary>
    private sealed class Recorder : DelegateReceiveActor
    {
        public Recorder(Simulation simulation)
        {
            Receive<NodeSupervisor.ProcessTransitioned>(m =>
                simulation.Record(new TrailEntry(m.At - VirtualScheduler.Epoch, m.Name, m.State, m.Reason)));
            ReceiveAny(m => simulation._lastReply = m);
        }
    }
}
