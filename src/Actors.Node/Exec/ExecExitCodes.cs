using Actors.Processes;
using Actors.Supervision;

namespace Actors.Node.Exec;

/// <summary>
/// The exit codes of <c>actors exec</c>: the command's own, and otherwise those of coreutils <c>timeout</c> and
/// of shells, so a script can treat <c>actors exec ... CMD</c> like <c>timeout ... CMD</c>.
/// </summary>
internal static class ExecExitCodes
{
    /// <summary>The last run hit its timeout (or the retry budget ran out during it).</summary>
    public const int TimedOut = 124;
    /// <summary>actors exec itself failed (not the command).</summary>
    public const int Internal = 125;
    /// <summary>The command was found but could not be run (not executable, a directory, a bad binary).</summary>
    public const int CannotRun = 126;
    /// <summary>The command was not found.</summary>
    public const int NotFound = 127;

    /// <summary>A finished run: its code, or 128+N when signal N killed it (as shells report it).</summary>
    public static int Of(ExitStatus exit) => exit.Code ?? 128 + (exit.Signal ?? 0);

    /// <param name="final">The job's final state change: completed, failed or stopped.</param>
    /// <param name="interrupt">The signal exec received, if any.</param>
    /// <param name="interruptedExit">How the run that got that signal ended; null when none was running.</param>
    public static int Of(ProcessSupervisor.ProcessStateChanged final, int? interrupt, ExitStatus? interruptedExit)
    {
        // Interrupted between runs, nothing of the command's to report: as a shell reports a Ctrl-C'd script.
        if (interrupt is { } signal) return interruptedExit is { } exit ? Of(exit) : 128 + signal;
        if (final.LastExit is { } last) return Of(last);
        // It never ran: the launch failed (the reason, already told, says why).
        return final.Reason.Contains("not found", StringComparison.Ordinal) ? NotFound : CannotRun;
    }
}
