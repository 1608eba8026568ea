using Akka.Actor;
using Actors.Configuration;
using Actors.Logging;
using Actors.Processes;

namespace Actors.Supervision;

/// <summary>
/// Protocol of the per-process supervisor: the policy for one declared process (restart, backoff, start
/// limit, operator intent). It owns one <see cref="ProcessRunner"/> child per run; a failed run reaches it
/// through its one-for-one supervisor strategy.
/// </summary>
public static class ProcessSupervisor
{
    public static Props Props(ProcessSettings settings, SupervisorOptions options) =>
        Akka.Actor.Props.Create(() => new ProcessSupervisorActor(settings, options));

    /// <summary>Start the process if it is not running. Clears a give-up: the start limit counts afresh.</summary>
    public sealed record StartProcess(string Reason = "started by request");

    /// <summary>Stop the process and keep it stopped. Answered with <see cref="ProcessStopped"/> once its group is gone.</summary>
    public sealed record StopProcess(string Reason = "stopped by request");

    public sealed record ProcessStopped(string Name);

    public sealed record GetStatus;

    /// <summary>A snapshot of one supervised process.</summary>
    public sealed record ProcessStatus(
        string Name,
        ProcessState State,
        int? Pid,
        DateTimeOffset? RunningSince,
        int Restarts,
        ExitStatus? LastExit,
        DateTimeOffset? NextStartAt,
        string Reason,
        IReadOnlyList<Transition> Trail);
}

/// <summary>What the supervisors need from their surroundings; tests swap the launcher, the log and the randomness.</summary>
public sealed record SupervisorOptions(IProcessLauncher Launcher)
{
    /// <summary>Opens the log of a process; null means its output is discarded.</summary>
    public Func<ProcessSettings, LogTail, ProcessLogWriter?> OpenLog { get; init; } = (s, tail) => new ProcessLogWriter(s.Log, tail);

    /// <summary>Source of backoff jitter.</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>Lines kept in memory per process for the control plane.</summary>
    public int TailLines { get; init; } = 1000;
}
