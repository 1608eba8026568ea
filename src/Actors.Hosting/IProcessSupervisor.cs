using Actors.Supervision;

namespace Actors.Hosting;

/// <summary>
/// The application's handle on its supervised processes, registered by <c>services.AddProcessSupervisor()</c>.
/// Usable from the moment the host has started until it stops; before that every call throws
/// <see cref="InvalidOperationException"/> at once. A name that is not declared throws
/// <see cref="UnknownProcessException"/> at once, listing the declared ones.
/// </summary>
public interface IProcessSupervisor
{
    /// <summary>Every declared process, in declaration order.</summary>
    Task<IReadOnlyList<ProcessSupervisor.ProcessStatus>> GetStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>One process.</summary>
    Task<ProcessSupervisor.ProcessStatus> GetStatusAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts it if it is not running (lifting an earlier stop and a give-up) and returns once the start settled:
    /// running, or backing-off / failed when the launch failed (the status says why).
    /// </summary>
    Task<ProcessSupervisor.ProcessStatus> StartAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Stops it (stop signal, then KILL after stop.timeout) and returns once its group is gone; it stays stopped until started.</summary>
    Task StopAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Stops the current run if any and starts a new one; returns like <see cref="StartAsync"/>.</summary>
    Task<ProcessSupervisor.ProcessStatus> RestartAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends a signal ("HUP", "SIGUSR1", "10") to its main process, or to its whole group. Throws
    /// <see cref="InvalidOperationException"/> when nothing runs, and <see cref="ArgumentException"/> for an unknown signal.
    /// </summary>
    Task SignalAsync(string name, string signal, bool wholeGroup = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="count"/> copies of a process (its <c>replicas</c>, 1..1000) and returns once the new copies
    /// settled and the removed ones are gone: new copies start, the highest-numbered stop first, the others are left
    /// alone. <paramref name="name"/> is the process as declared (not one copy's name). Throws
    /// <see cref="ArgumentOutOfRangeException"/> for a count out of range (to stop every copy, use
    /// <see cref="StopAsync"/>), and <see cref="InvalidOperationException"/> with why for a process that cannot have
    /// copies (a job, one with its own log file, a copy's name).
    /// </summary>
    Task<ProcessScaled> ScaleAsync(string name, int count, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every state change of every process from now on, with its reason, until <paramref name="cancellationToken"/>
    /// is cancelled or the host stops. A slow reader does not slow the supervisors; changes wait for it in memory.
    /// </summary>
    IAsyncEnumerable<ProcessTransition> WatchAsync(CancellationToken cancellationToken = default);
}

/// <summary>One state change of one process: where it went, why, and when (wall clock).</summary>
public sealed record ProcessTransition(string Name, ProcessState State, string Reason, DateTimeOffset At);

/// <summary>What a <see cref="IProcessSupervisor.ScaleAsync"/> did: the copy count before and after, and which copies it started and stopped.</summary>
public sealed record ProcessScaled(string Name, int From, int To, IReadOnlyList<string> Started, IReadOnlyList<string> Stopped);
