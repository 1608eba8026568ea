using System.Runtime.InteropServices;
using Actors.Native;
using Actors.Processes.Native;

namespace Actors.Processes;

/// <summary>
/// A child just started by the <see cref="Spawner"/> (leader of its own session and group, stdout and stderr on one
/// pipe) with the two pidfds it is watched through, opened while it is our unreaped child so they name it and no
/// later process: the output pump's, which turns readable at the exit (the pump closes it once reaped), and the
/// handle's, which keeps naming the group afterwards (see <see cref="ProcessGroupSignal"/>). The one way both main
/// processes (<see cref="LinuxProcessLauncher"/>) and one-shot commands (<see cref="OneShotCommand"/>) start.
/// </summary>
internal sealed record SpawnedChild(int Pid, long StartTime, int ExitPidfd, int HandlePidfd, int OutputFd)
{
    /// <summary>stderr's own pipe (<c>log.stderr = separate</c>); -1 when stderr shares <see cref="OutputFd"/>.</summary>
    public int ErrorFd { get; init; } = -1;

    /// <summary>
    /// Spawns <paramref name="path"/>, or returns null with <paramref name="problem"/>: the spawn's error as
    /// <paramref name="describeSpawnError"/> words its errno, or that no pidfd could be opened (then nothing is left
    /// running). The arguments are <see cref="Spawner.Spawn"/>'s.
    /// </summary>
    public static SpawnedChild? Start(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp, string workingDir,
        Func<int, string> describeSpawnError, out string? problem, int stdinFd = -1, bool captureOutput = true, bool separateStderr = false)
    {
        var result = Spawner.Spawn(path, argv, envp, workingDir, stdinFd, captureOutput, separateStderr);
        if (result.Errno != 0)
        {
            problem = describeSpawnError(result.Errno);
            return null;
        }
        int exitPidfd = LibC.PidfdOpen(result.Pid);
        int handlePidfd = exitPidfd >= 0 ? LibC.PidfdOpen(result.Pid) : -1;
        if (handlePidfd < 0)
        {
            problem = $"pidfd_open failed: {LibC.ErrorText(Marshal.GetLastPInvokeError())} (Linux 5.3 or later is needed)";
            // Without a pidfd the exit could not be seen: do not leave an unwatched process behind.
            ProcessGroupSignal.KillUnwatchedChild(result.Pid);
            if (exitPidfd >= 0) LibC.close(exitPidfd);
            if (result.OutputFd >= 0) LibC.close(result.OutputFd);
            if (result.ErrorFd >= 0) LibC.close(result.ErrorFd);
            return null;
        }
        problem = null;
        return new SpawnedChild(result.Pid, ProcStat.ReadStartTime(result.Pid) ?? 0, exitPidfd, handlePidfd, result.OutputFd)
        {
            ErrorFd = result.ErrorFd,
        };
    }

    /// <summary>The handle that owns <see cref="HandlePidfd"/> from now on.</summary>
    /// <param name="runEntry">See <see cref="LinuxProcessHandle"/>.</param>
    /// <param name="onGone">See <see cref="LinuxProcessHandle"/>.</param>
    public LinuxProcessHandle Handle(string? runEntry, Action<LinuxProcessHandle>? onGone = null) =>
        new(Pid, StartTime, HandlePidfd, runEntry, onGone);
}
