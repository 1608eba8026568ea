using Akka.Actor;
using Actors.Native;
using Actors.Processes.Native;

namespace Actors.Processes;

/// <summary>
/// Starts real processes. Spawns happen on one dedicated thread that lives as long as the launcher, so that
/// <c>posix_spawn</c> (which waits for the child's exec) never blocks an actor's thread. No parent-death signal
/// is set (<c>PR_SET_PDEATHSIG</c> would follow the spawning thread, not the node): what stops the children of a
/// node that died is the watchdog process and, at the next boot, the pid registry (see <see cref="IPidRegistry"/>).
/// </summary>
public sealed class LinuxProcessLauncher : IProcessLauncher, IDisposable
{
    private readonly HandoffQueue<(LaunchRequest Request, IActorRef ReplyTo)> _queue = new();
    private readonly OutputPump _pump;
    private readonly Thread _spawner;
    private readonly IPidRegistry? _registry;
    private readonly bool _inheritStdio;
    private readonly bool _followDescendants;
    // Per process, not per launcher: the run id follows descendants and a stop kills what carries it, so two
    // launchers in one process (two embedded supervisions, parallel tests) must never hand out the same one.
    private static long _runs;

    /// <summary>The environment variable that names a run: every descendant of the run inherits it (see <see cref="RunDescendants"/>).</summary>
    public const string RunVariable = "ACTORS_RUN";

    /// <summary>A new run's marker entry, <c>ACTORS_RUN=NODEPID.NODESTART.N</c>, never handed out before in this process.</summary>
    internal static string NewRunEntry() =>
        $"{RunVariable}={NodeMarker.OfThisNode[(NodeMarker.Variable.Length + 1)..]}.{Interlocked.Increment(ref _runs)}";

    /// <summary><paramref name="environment"/> with <paramref name="runEntry"/> in place of any run marker it carried.</summary>
    internal static string[] WithRunEntry(IEnumerable<string> environment, string runEntry) =>
        environment.Where(e => !e.StartsWith(RunVariable + "=", StringComparison.Ordinal)).Append(runEntry).ToArray();

    /// <param name="onError">Told about unexpected I/O errors of the output pump (what, exception); they never stop the node.</param>
    /// <param name="registry">Told of every child started and gone (the node's pid registry and watchdog); null for none.</param>
    /// <param name="inheritStdio">
    /// False (the node): a child's stdin is /dev/null and its stdout+stderr go through one pipe into its log (or
    /// are discarded when the request has no writer). True (<c>actors exec</c>): the children share this process's
    /// own stdin, stdout and stderr, so a terminal stays a terminal and bytes reach their stream unchanged; the
    /// request's writer is not used.
    /// </param>
    /// <param name="followDescendants">
    /// True: each run gets its own <c>ACTORS_RUN</c> marker, and what it started outside its group (setsid, a daemon's
    /// double fork) is stopped with it. False (<c>actors exec</c>): a daemon the command starts on purpose is left running.
    /// </param>
    public LinuxProcessLauncher(Action<string, Exception>? onError = null, IPidRegistry? registry = null, bool inheritStdio = false,
        bool followDescendants = true)
    {
        _registry = registry;
        _inheritStdio = inheritStdio;
        _followDescendants = followDescendants;
        // With stdio inherited (actors exec) nothing is logged: the pump only watches exits.
        _pump = new OutputPump(onError ?? ((_, _) => { }), warmUp: !inheritStdio);
        _spawner = new Thread(SpawnLoop) { IsBackground = true, Name = "actors-spawner" };
        _spawner.Start();
    }

    public void Launch(LaunchRequest request, IActorRef replyTo) => _queue.Add((request, replyTo));

    /// <summary>A real hook: <see cref="HookRunner"/>, spawned on a pool thread (posix_spawn waits for the exec; the caller is an actor).</summary>
    public Task<HookOutcome> RunHookAsync(HookRequest request, CancellationToken cancellationToken) =>
        Task.Run(() => HookRunner.RunAsync(request, cancellationToken), CancellationToken.None);

    private void SpawnLoop()
    {
        foreach (var (request, replyTo) in _queue.Consume())
        {
            try { SpawnOne(request, replyTo); }
            catch (Exception e) { replyTo.Tell(new ProcessLaunchFailed($"could not start: {e.Message}")); }
        }
    }

    private void SpawnOne(LaunchRequest request, IActorRef replyTo)
    {
        var spec = request.Spec;
        if (!Directory.Exists(spec.WorkingDir))
        {
            replyTo.Tell(new ProcessLaunchFailed($"working directory does not exist: {spec.WorkingDir}"));
            return;
        }
        var path = CommandResolver.Resolve(spec.Command, CommandResolver.PathOf(spec.Environment), out var reason);
        if (path is null)
        {
            replyTo.Tell(new ProcessLaunchFailed(reason!));
            return;
        }
        var runEntry = _followDescendants ? NewRunEntry() : null;
        var environment = runEntry is null ? spec.Environment : WithRunEntry(spec.Environment, runEntry);
        // user, limits, ...: the shim applies them in the child, then execs the program (see ExecShim).
        if (ExecShim.Wrap(spec.ShimOptions, path, spec.Argv, out var missing) is not var (program, argv))
        {
            replyTo.Tell(new ProcessLaunchFailed(missing!));
            return;
        }
        var child = SpawnedChild.Start(program, argv, environment, spec.WorkingDir, errno => DescribeSpawnError(errno, path), out var problem,
            stdinFd: _inheritStdio ? Native.Spawner.OwnStdin : -1, captureOutput: !_inheritStdio,
            separateStderr: request.ErrorOutput is not null && !_inheritStdio);
        if (child is null)
        {
            replyTo.Tell(new ProcessLaunchFailed(problem!));
            return;
        }
        var handle = child.Handle(runEntry, _registry is { } registry ? gone => registry.Removed(gone.Pid, gone.StartTime) : null);
        AdoptedOrphans.Register(handle);
        // Recorded before anyone may act on it: the runner releases it only after it was handed over.
        _registry?.Added(spec.Name, handle.Pid, handle.StartTime);
        if (spec.Fence is { } fence) _registry?.Fenced(handle.Pid, handle.StartTime, fence);
        if (request.Ticket.TryHandOver(handle)) replyTo.Tell(new ProcessLaunched(handle));
        else
        {
            handle.SignalGroup(LibC.SIGKILL);
            handle.Release(); // nobody took it: it is gone from the registry once the pump has reaped it
        }
        // Attach after telling: an exit seen at once still reaches the owner after ProcessLaunched.
        _pump.Attach(handle, child.ExitPidfd, child.OutputFd, request.Output, replyTo, child.ErrorFd, request.ErrorOutput);
    }

    private static string DescribeSpawnError(int errno, string path) => errno switch
    {
        2 => $"command not found: {path}",
        13 => $"permission denied: {path}",
        8 => $"not an executable (exec format error): {path}",
        _ => $"could not start {path}: {LibC.ErrorText(errno)}",
    };

    public void Dispose()
    {
        _queue.CompleteAdding();
        _spawner.Join(TimeSpan.FromSeconds(5));
        _pump.Dispose();
    }
}
