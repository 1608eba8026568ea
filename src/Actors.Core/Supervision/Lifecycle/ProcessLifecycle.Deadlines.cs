using Actors.Timeouts;

namespace Actors.Supervision;

/// <summary>
/// Deadlines (timeout.start, timeout.run, retry.budget), and the runs this supervisor ends itself: a probe failure
/// or a missed deadline stops the run (stop signal, then SIGKILL after stop.timeout) and the end counts as a
/// failure, classified like any other. Each deadline is tagged (run number, or the job's generation for the
/// budget), so a report about an earlier run or job is recognised as stale.
/// </summary>
internal sealed partial class ProcessLifecycle
{
    /// <summary>A job begins (first start, operator's start, new settings): fresh attempts and budget.</summary>
    private void BeginJob()
    {
        S = S with { JobRuns = 0, BudgetSpent = false, BudgetEndsAt = null, JobGeneration = S.JobGeneration + 1 };
        Do(new Effect.DisarmDeadline(Deadline.Budget));
    }

    /// <summary>As a run is launched: its start and run deadlines, and with the job's first run its budget.</summary>
    private void ArmRunDeadlines()
    {
        var now = _now.Monotonic;
        var settings = S.Settings;
        S = S with { JobRuns = S.JobRuns + 1 };
        // The budget counts from the first launch: time spent waiting for dependencies or a lease is not the job's.
        if (S.JobRuns == 1 && S.IsJob && settings.Retry.Budget is { } budget)
        {
            S = S with { BudgetEndsAt = now + budget };
            Do(new Effect.ArmDeadline(Deadline.Budget, budget, now, S.JobGeneration));
        }
        if (settings.Timeouts.Start is { } start) Do(new Effect.ArmDeadline(Deadline.Start, start, now, S.Runs));
        if (settings.Timeouts.Run is { } run) Do(new Effect.ArmDeadline(Deadline.Run, run, now, S.Runs));
    }

    private void DisarmRunDeadlines()
    {
        Do(new Effect.DisarmDeadline(Deadline.Start));
        Do(new Effect.DisarmDeadline(Deadline.Run));
    }

    private void OnDeadline(LifecycleEvent.DeadlinePassed m)
    {
        if (m.Deadline == Deadline.Budget)
        {
            if (m.Tag == S.JobGeneration) OnBudgetSpent(m.After);
            return;
        }
        if (m.Tag != S.Runs || !S.RunLive || !S.Active) return;
        if (m.Deadline == Deadline.Start && !S.Up)
            EndRun($"start timeout: not up within {Seconds(m.After)}, {NotUpBecause()}", timedOut: false);
        else if (m.Deadline == Deadline.Run)
            EndRun($"timed out after {Seconds(m.After)} (timeout.run)", timedOut: true);
    }

    private void OnBudgetSpent(TimeSpan budget)
    {
        S = S with { BudgetSpent = true };
        switch (S.State)
        {
            case ProcessState.Starting or ProcessState.Running or ProcessState.Ready:
                EndRun($"retry budget of {Seconds(budget)} spent", timedOut: true);
                break;
            case ProcessState.BackingOff:
                Do(new Effect.CancelScheduledStart());
                S = S with { NextStartAt = null };
                Enter(ProcessState.Failed, $"retry budget of {Seconds(budget)} spent while waiting to retry; last run {S.LastEndReason}");
                break;
        }
    }

    /// <summary>Stops the current run because of <paramref name="cause"/>; its end will count as a failure.</summary>
    private void EndRun(string cause, bool timedOut)
    {
        if (!S.RunLive || S.State == ProcessState.Stopping) return;
        S = S with { RunFailCause = cause, TimedOut = timedOut };
        StopProbes();
        Enter(ProcessState.Stopping, $"{cause}; SIG{S.Settings.Stop.SignalName} to the group, SIGKILL after {Seconds(S.Settings.Stop.Timeout)}");
        Do(new Effect.StopGroup(cause));
    }

    /// <summary>An operator's stop (or restart, reload, lost lease) takes over a stop this supervisor started.</summary>
    private void TakeOverStop() => S = S with { RunFailCause = null, TimedOut = false };
}
