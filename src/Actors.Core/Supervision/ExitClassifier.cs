using Actors.Configuration;
using Actors.Processes;

namespace Actors.Supervision;

/// <summary>Whether an ended run succeeded, failed in a way a retry can cure, or failed for good.</summary>
internal enum ExitClass
{
    Success,
    Transient,
    Permanent,
}

/// <summary>The class of an ended run and why, in words for the trail ("code 22 is permanent (curl preset)").</summary>
internal sealed record ExitClassification(ExitClass Class, string Why);

/// <summary>
/// Classifies how a run ended by the process's exit-code classes (seed 001: "you need to know what every tool's
/// exit codes mean"). Permanent codes stop retries for services and jobs alike; the rest of the rules (SIGINT,
/// 130, unlisted codes) are for jobs, whose whole purpose is to end.
/// </summary>
internal static class ExitClassifier
{
    public const int TimedOutCode = 124;
    private const int SIGINT = 2, InterruptedCode = 130;

    /// <param name="exit">How the run ended; null when it could not be launched.</param>
    /// <param name="failed">Whether the run counts as failed (a success code is not; a liveness kill is).</param>
    /// <param name="timedOut">The run was stopped at timeout.run or the retry budget: it counts as exit 124.</param>
    public static ExitClassification Classify(ProcessSettings settings, ExitStatus? exit, bool failed, bool timedOut)
    {
        var preset = settings.Retry.Preset is { } p ? $" ({p} preset)" : "";
        if (timedOut)
            return settings.PermanentExitCodes.Contains(TimedOutCode)
                ? new(ExitClass.Permanent, $"timed out (exit {TimedOutCode}), which is listed as permanent")
                : new(ExitClass.Transient, $"timed out (exit {TimedOutCode}), a transient failure");
        if (!failed) return new(ExitClass.Success, exit?.Code is { } ok ? $"code {ok} is a success" : "success");
        if (exit is null) return new(ExitClass.Transient, "could not launch");
        if (exit.Code is { } code)
        {
            if (settings.PermanentExitCodes.Contains(code)) return new(ExitClass.Permanent, $"code {code} is permanent{preset}");
            if (settings.TransientExitCodes.Contains(code)) return new(ExitClass.Transient, $"code {code} is transient{preset}");
            if (settings.Kind == ProcessKind.Job && code == InterruptedCode)
                return new(ExitClass.Permanent, $"code {InterruptedCode} means interrupted (Ctrl-C), permanent");
            return new(ExitClass.Transient, settings.Kind == ProcessKind.Job ? $"code {code} is not classified, so retried" : $"code {code}");
        }
        if (settings.Kind == ProcessKind.Job && exit.Signal == SIGINT)
            return new(ExitClass.Permanent, "killed by SIGINT (someone's Ctrl-C), permanent");
        return new(ExitClass.Transient, $"killed by {SignalNames.Describe(exit.Signal ?? 0)}");
    }
}
