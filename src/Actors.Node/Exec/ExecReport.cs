using Actors.Supervision;

namespace Actors.Node.Exec;

/// <summary>
/// What <c>actors exec</c> itself says, on stderr only (stdout is the command's): one line per decision of its
/// own policies. A plain run (no retry, no timeout) stays silent, like the command run by hand; with
/// <c>--verbose</c>, every state change is told.
/// </summary>
internal sealed class ExecReport(TextWriter stderr, bool verbose, bool policies)
{
    public void StateChanged(ProcessSupervisor.ProcessStateChanged change)
    {
        var tell = verbose || change.State switch
        {
            // A retry decided, with the delay: the line the user watches while a flaky step is retried.
            ProcessState.BackingOff => true,
            // The final verdict when retries or a deadline were involved, or when the command never ran.
            ProcessState.Failed => policies || change.LastExit is null,
            _ => false,
        };
        if (tell) Line(verbose ? $"{change.State.ToDisplay()}: {change.Reason}" : change.Reason);
    }

    /// <summary>A line that is always worth telling (escalation to SIGKILL, exec's own trouble).</summary>
    public void Line(string text)
    {
        stderr.WriteLine($"actors exec: {text}");
        stderr.Flush();
    }

    /// <summary>Only told with <c>--verbose</c>, or when retries were asked for (then it says they end).</summary>
    public void Detail(string text)
    {
        if (verbose || policies) Line(text);
    }
}
