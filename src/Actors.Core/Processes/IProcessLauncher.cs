using Akka.Actor;
using Actors.Logging;

namespace Actors.Processes;

/// <summary>
/// The seam between supervision and the operating system. The Linux launcher spawns real process groups;
/// a simulated launcher lets the same supervisors run on virtual time in tests.
/// A launch answers the <c>replyTo</c> actor with <see cref="ProcessLaunched"/> or
/// <see cref="ProcessLaunchFailed"/>, and later, once, with <see cref="ProcessExited"/>.
/// </summary>
public interface IProcessLauncher
{
    void Launch(LaunchRequest request, IActorRef replyTo);

    /// <summary>
    /// Runs a hook (<c>hooks.pre-start</c>, <c>hooks.post-stop</c>) to its end. A launcher of simulated processes keeps
    /// this default: the hook succeeds at once, and nothing runs.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled: what it started was killed.</exception>
    Task<HookOutcome> RunHookAsync(HookRequest request, CancellationToken cancellationToken) => Task.FromResult(HookOutcome.Success);
}

/// <summary>What to start: a resolved argv (argv[0] is the command as declared), its environment and folder.</summary>
public sealed record LaunchSpec(
    string Name,
    string Command,
    IReadOnlyList<string> Argv,
    string WorkingDir,
    IReadOnlyList<string> Environment)
{
    /// <summary>Why this run cannot start (an env file that cannot be read), or null: the runner then launches nothing.</summary>
    public string? Refused { get; init; }

    /// <summary>Options of the exec shim (user, limits, ...: see <see cref="ExecShim"/>); null to spawn the program directly.</summary>
    public IReadOnlyList<string>? ShimOptions { get; init; }

    /// <summary>A run under a lease: what the watchdog's dead-man switch needs to stop it; null for none.</summary>
    public DeadManFence? Fence { get; init; }
}

/// <summary>One launch: the spec, where its output goes, and the ticket that keeps an abandoned launch from leaking a process.</summary>
public sealed record LaunchRequest(LaunchSpec Spec, ProcessLogWriter? Output, LaunchTicket Ticket)
{
    /// <summary><c>log.stderr = separate</c>: where stderr goes (then <see cref="Output"/> gets stdout only); null: merged.</summary>
    public ProcessLogWriter? ErrorOutput { get; init; }
}

/// <summary>A running process (and its process group).</summary>
public interface IProcessHandle
{
    /// <summary>Pid of the main process, which is also the id of its process group.</summary>
    int Pid { get; }

    /// <summary>Start time from /proc (clock ticks since boot); 0 for a simulated process.</summary>
    long StartTime { get; }

    /// <summary>Sends <paramref name="signal"/> to the main process only (an operator's <c>actors signal</c>). False when it is gone.</summary>
    bool Signal(int signal);

    /// <summary>Sends <paramref name="signal"/> to every process left in the group. False when none is left.</summary>
    bool SignalGroup(int signal);

    /// <summary>True while any process of the group is still alive.</summary>
    bool IsGroupAlive();

    /// <summary>
    /// The stop signal to every process left in the group, then SIGCONT: a stopped (SIGSTOPed) process cannot act on
    /// the stop signal until it is continued. What the run started outside its group may get them a moment later.
    /// </summary>
    void StopGroup(int signal)
    {
        SignalGroup(signal);
        SignalGroup(Actors.Native.LibC.SIGCONT);
    }

    /// <summary>
    /// <see cref="IsGroupAlive"/>, answered when the look is done: a handle whose look reads the process table may
    /// share one read with others that asked at about the same time.
    /// </summary>
    Task<bool> IsGroupAliveAsync() => Task.FromResult(IsGroupAlive());

    /// <summary>
    /// Told by the owner when it is done with the process: its group is gone, or the owner killed it as it
    /// stopped. The launcher may then forget the process (its pid registry entry goes once it is also reaped).
    /// Idempotent.
    /// </summary>
    void Release() { }
}

public sealed record ProcessLaunched(IProcessHandle Handle);

public sealed record ProcessLaunchFailed(string Reason);

/// <summary>The main process has ended (and was reaped). Its output up to that moment is in the log.</summary>
public sealed record ProcessExited(int Pid, ExitStatus Status);

/// <summary>
/// Links a launch to its requester. If the requester stops before the process is handed over, the launcher
/// kills what it started; if the process was handed over, the requester kills it. Never both, never neither.
/// </summary>
public sealed class LaunchTicket
{
    private readonly object _gate = new();
    private bool _abandoned;
    private IProcessHandle? _handle;

    /// <summary>Called by the launcher. False means the requester is gone and the process must be killed.</summary>
    public bool TryHandOver(IProcessHandle handle)
    {
        lock (_gate)
        {
            if (_abandoned) return false;
            _handle = handle;
            return true;
        }
    }

    /// <summary>Called by the requester as it stops. Returns the process handed over, if any, for it to kill.</summary>
    public IProcessHandle? Abandon()
    {
        lock (_gate)
        {
            _abandoned = true;
            return _handle;
        }
    }
}
