using Akka.Event;
using Actors.Configuration;
using Actors.Processes;

namespace Actors.Supervision;

/// <summary>
/// Runs: when one starts, and what comes after one ends — done, failed, or another run after a backoff. The
/// answer to "why did it restart?" is <see cref="AfterRun"/>: the exit class (<see cref="ExitClassifier"/>), the
/// restart policy, a job's attempts and budget, the delay (<see cref="BackoffPolicy"/>) and the start limit
/// (<see cref="StartLimiter"/>), in that order.
/// </summary>
internal sealed partial class ProcessLifecycle
{
    /// <summary>The supervisor starts: the operator's stop kept across a node restart, autostart = off, or the first start.</summary>
    private void Begin()
    {
        if (S.Intent.KeptStopped)
        {
            // The operator stopped it before the node went down; a node restart must not undo that.
            var at = S.Intent.StoppedAt is { } t ? $" at {t.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}" : "";
            Enter(ProcessState.Stopped,
                $"{S.Intent.StopReason ?? "stopped by request"}{at}; kept across node restarts; start it with 'actors start {Name}'");
            return;
        }
        if (!S.Settings.Autostart)
        {
            Enter(ProcessState.Stopped, AutostartOff);
            return;
        }
        BeginJob();
        StartRun("initial start", automatic: false);
    }

    private string AutostartOff => $"autostart is off; start it with 'actors start {Name}'";

    /// <summary>An operator's start: a fresh start-limit budget and backoff.</summary>
    private void FreshStart(string reason)
    {
        Do(new Effect.CancelScheduledStart());
        S = S with { Starts = [], Attempt = 0 };
        BeginJob();
        StartRun(reason, automatic: false);
    }

    /// <summary>
    /// A start: it waits for dependencies, then the placement gate (singletons), then the lease, then the log; then the start limit decides. Every caller
    /// calls it last, so nothing is decided after an <see cref="Effect.OpenLog"/> before its answer.
    /// </summary>
    private void StartRun(string reason, bool automatic)
    {
        if (!DependenciesMet(reason, automatic)) return;
        if (!GateOpen(reason, automatic)) return;
        if (!MayStart(reason, automatic)) return;
        if (S.LogStale)
        {
            S = S with { LogStart = new PendingStart(reason, automatic) };
            Do(new Effect.OpenLog());
            return;
        }
        Launch(reason, automatic);
    }

    private void OnLogOpened(string? failure)
    {
        if (S.LogStart is not { } start) return;
        S = S with { LogStart = null };
        if (failure is not null)
        {
            Enter(ProcessState.Failed, failure);
            return;
        }
        S = S with { LogStale = false };
        Launch(start.Reason, start.Automatic);
    }

    private void Launch(string reason, bool automatic)
    {
        var now = _now.Monotonic;
        var limiter = Limiter();
        if (!limiter.Allows(now))
        {
            GiveUp();
            return;
        }
        limiter.Record(now);
        S = S with { Starts = [.. limiter.Starts] };
        if (automatic) SetIntent(S.Intent with { Restarts = S.Intent.Restarts + 1 });
        S = S with { Runs = S.Runs + 1, RunLive = true, StartedAt = now, NextStartAt = null, NotifiedReady = false };
        Do(new Effect.Launch(S.Runs, S.HasLease && S.LeaseHeld ? S.LeaseToken : null));
        ArmRunDeadlines();
        var retry = S.Settings.Retry;
        Enter(ProcessState.Starting, S.IsJob && retry.MaxAttempts > 1 ? $"{reason} (attempt {S.JobRuns} of {retry.MaxAttempts})" : reason);
    }

    private StartLimiter Limiter() => new(S.Settings.StartLimit, S.Starts);

    private void OnRunStarted(int pid)
    {
        S = S with { Pid = pid, RunningSince = _now.Wall };
        if (S.State != ProcessState.Starting) return;
        Enter(ProcessState.Running, $"pid {pid}");
        StartProbes(pid);
    }

    private void OnRunEnded(LifecycleEvent.RunEnded m)
    {
        var now = _now.Monotonic;
        var uptime = S.StartedAt is { } started ? now - started : TimeSpan.Zero;
        S = S with { RunLive = false, Pid = null, RunningSince = null };
        StopProbes();
        DisarmRunDeadlines();
        var (cause, timedOut) = (S.RunFailCause, S.TimedOut);
        TakeOverStop();
        // A run stopped at its deadline is recorded as coreutils timeout records it: exit code 124.
        var exit = timedOut ? ExitStatus.Exited(ExitClassifier.TimedOutCode) : m.Exit;
        S = S with { LastExit = exit ?? S.LastExit };
        // "exited with signal SIGKILL (9) after 4.5s; the group did not stop...": the uptime belongs to the exit.
        var ended = (m.Exit is null ? m.Reason : $"{m.Reason} after {Seconds(uptime)}") + (m.Note is null ? "" : $"; {m.Note}");
        var what = cause is null ? ended : $"{cause}; {ended}";
        bool failed = m.Failed || cause is not null;
        Log(failed ? LogLevel.WarningLevel : LogLevel.InfoLevel, $"{Name}: {what}");
        // A run that stayed up long enough proves the fault is over: the backoff starts again from min.
        if (uptime >= S.Settings.Backoff.ResetAfter) S = S with { Attempt = 0 };

        if (S.State == ProcessState.Stopping && cause is null)
        {
            Enter(ProcessState.Stopped, $"{S.StopReason}; {what}");
            Do(new Effect.SettleStops());
            if (S.QueuedStart is { } queued)
            {
                S = S with { QueuedStart = null };
                FreshStart(queued);
            }
            return;
        }
        AfterRun(what, ExitClassifier.Classify(S.Settings, exit, failed, timedOut), now);
    }

    /// <summary>What comes after a run that ended by itself (or by a probe or deadline): done, failed, or another run.</summary>
    private void AfterRun(string what, ExitClassification exit, TimeSpan now)
    {
        var settings = S.Settings;
        if (exit.Class == ExitClass.Permanent)
        {
            Enter(ProcessState.Failed, $"{what}; {exit.Why}: not retried");
            return;
        }
        bool success = exit.Class == ExitClass.Success;
        bool restart = success ? settings.Restart == RestartPolicy.Always : settings.Restart != RestartPolicy.Never;
        if (!restart)
        {
            var policy = $"restart = {settings.Restart.ToString().ToLowerInvariant().Replace("onfailure", "on-failure")}";
            // A success the policy does not repeat is a finished job, not an operator's stop.
            Enter(success ? ProcessState.Completed : ProcessState.Failed,
                S.IsJob ? $"{what}; {(success ? "completed" : $"{exit.Why}; {policy}")}" : $"{what}; {policy}");
            return;
        }
        var retries = S.IsJob ? $"; {exit.Why}" : "";
        if (S.IsJob && S.BudgetSpent)
        {
            Enter(ProcessState.Failed, $"{what}; retry budget of {Seconds(settings.Retry.Budget ?? TimeSpan.Zero)} spent");
            return;
        }
        if (S.IsJob && S.JobRuns >= settings.Retry.MaxAttempts)
        {
            Enter(ProcessState.Failed, $"{what}{retries}; out of attempts ({S.JobRuns} of {settings.Retry.MaxAttempts})");
            return;
        }
        var backoff = S.IsJob && settings.Retry.Backoff is { } retryBackoff ? retryBackoff : settings.Backoff;
        var delay = BackoffPolicy.Delay(backoff, S.Attempt, random);
        S = S with { Attempt = S.Attempt + 1, LastEndReason = what };
        if (S.IsJob && S.BudgetEndsAt is { } budgetEnd && now + delay >= budgetEnd)
        {
            Enter(ProcessState.Failed, $"{what}{retries}; the next attempt (in {Seconds(delay)}) would start after the retry budget of {Seconds(settings.Retry.Budget!.Value)} ends");
            return;
        }
        if (!Limiter().Allows(now + delay))
        {
            GiveUp();
            return;
        }
        S = S with { NextStartAt = _now.Wall + delay };
        Enter(ProcessState.BackingOff, S.IsJob
            ? $"{what}{retries}; attempt {S.JobRuns + 1} of {settings.Retry.MaxAttempts} in {Seconds(delay)}"
            : $"{what}; next start in {Seconds(delay)}");
        Do(new Effect.ScheduleStart(delay));
    }

    private string RestartReason() => $"restart {S.Intent.Restarts + 1}" + (S.LastEndReason is null ? "" : $" after: {S.LastEndReason}");

    private void GiveUp()
    {
        S = S with { NextStartAt = null };
        var limit = S.Settings.StartLimit;
        Enter(ProcessState.Failed,
            $"start limit hit: {limit.Burst} starts within {Seconds(limit.Interval)}" +
            (S.LastEndReason is null ? "" : $"; last run {S.LastEndReason}") + "; start it again by hand once fixed");
    }
}
