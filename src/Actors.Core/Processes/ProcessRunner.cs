using Akka.Actor;
using Actors.Configuration;
using Actors.Logging;
using Actors.Supervision;

namespace Actors.Processes;

/// <summary>
/// Protocol of the runner: the actor that owns one run of one OS process group, from launch until no
/// process of the group is left. An exit the policy counts as a failure is thrown as
/// <see cref="ProcessFailedException"/>, so it reaches the parent as a failure of this actor (the parent's
/// one-for-one strategy stops it, and the parent's lifecycle decides what comes next); any other end is
/// reported with <see cref="Finished"/>.
/// </summary>
public static class ProcessRunner
{
    /// <param name="errorOutput">Where stderr goes with <c>log.stderr = separate</c>; null: merged into <paramref name="output"/>.</param>
    public static Props Props(LaunchSpec spec, ProcessSettings settings, IProcessLauncher launcher, ProcessLogWriter? output,
        ProcessLogWriter? errorOutput = null) =>
        FactoryProps.Of(() => new ProcessRunnerActor(spec, settings, launcher, output, errorOutput));

    /// <summary>
    /// Stop the process: stop signal (and SIGCONT) to the group, SIGKILL after the stop timeout. With
    /// <paramref name="KillNow"/>, SIGKILL to the group at once (a lost lease: the next holder may be starting its copy).
    /// </summary>
    public sealed record Stop(string Reason, bool KillNow = false);

    /// <summary>
    /// Send <paramref name="Signal"/> to the main process (or, with <paramref name="WholeGroup"/>, to its whole
    /// group) on an operator's request. Answered to the sender with <see cref="SignalResult"/>, which carries
    /// <paramref name="Tag"/> back untouched so the sender knows whom to answer.
    /// </summary>
    public sealed record SendSignal(int Signal, bool WholeGroup, object Tag);

    /// <summary>Whether the signal reached a process: false when the main process (or group) is already gone.</summary>
    public sealed record SignalResult(int Pid, bool Delivered, object Tag);

    /// <summary>The main process is running.</summary>
    public sealed record Started(int Pid, long StartTime);

    /// <summary>
    /// The run is over and nothing of its group is left (or what is left was SIGKILLed); its post-stop hook, if any,
    /// has run (<paramref name="Note"/> says how it failed, if it did).
    /// </summary>
    public sealed record Finished(ExitStatus Exit, string? Note);

    /// <summary>A stop came during the pre-start hook: the hook was killed and the process never started.</summary>
    public sealed record StoppedBeforeLaunch(string Reason);

    /// <summary>How long to wait for stragglers after SIGKILL before reporting anyway.</summary>
    internal static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(2);

    /// <summary>How often to look whether the rest of a group is gone.</summary>
    internal static readonly TimeSpan GroupPollInterval = TimeSpan.FromMilliseconds(10);
}

/// <summary>The run failed: a failure exit, or it could not be launched (then <see cref="Exit"/> is null).</summary>
public sealed class ProcessFailedException(ExitStatus? exit, string reason, string? note = null) : Exception(reason)
{
    public ExitStatus? Exit { get; } = exit;

    /// <summary>What else happened to the run (e.g. its group had to be killed), said after its uptime.</summary>
    public string? Note { get; } = note;
}
