using Akka.Actor;
using Actors.Configuration;
using Actors.Processes;
using Actors.Timeouts;

namespace Actors.Supervision;

/// <summary>
/// Deadlines (timeout.start, timeout.run, retry.budget) held by the <see cref="TimeoutGuard"/> child, and the
/// runs this supervisor ends itself: a probe failure or a missed deadline stops the run (stop signal, then
/// SIGKILL after stop.timeout) and the end counts as a failure, classified like any other.
/// </summary>
internal sealed partial class ProcessSupervisorActor
{
    private IActorRef _guard = ActorRefs.Nobody;
    // Why this supervisor is ending the current run (null: it ends by itself or by an operator's stop).
    private string? _runFailCause;
    // The run is ending at timeout.run or the retry budget: it counts as exit 124.
    private bool _timedOut;
    // A job's runs since it was (re)started, its budget's generation and whether the budget ran out.
    private int _jobRuns, _jobGeneration;
    private bool _budgetSpent;
    private TimeSpan? _budgetEndsAt; // monotonic

    private bool IsJob => _settings.Kind == ProcessKind.Job;

    private void ReceiveDeadlines() => Receive<TimeoutGuard.DeadlineExceeded>(OnDeadline);

    /// <summary>A job begins (first start, operator's start, new settings): fresh attempts and budget.</summary>
    private void BeginJob()
    {
        _jobRuns = 0;
        _budgetSpent = false;
        _budgetEndsAt = null;
        _jobGeneration++;
        _guard.Tell(new TimeoutGuard.Disarm(Deadline.Budget));
    }

    /// <summary>Called as a run is launched: its start and run deadlines, and with the job's first run its budget.</summary>
    private void ArmRunDeadlines()
    {
        _jobRuns++;
        // The budget counts from the first launch: time spent waiting for dependencies or a lease is not the job's.
        if (_jobRuns == 1 && IsJob && _settings.Retry.Budget is { } budget)
        {
            _budgetEndsAt = Elapsed + budget;
            _guard.Tell(new TimeoutGuard.Arm(Deadline.Budget, budget, Elapsed, _jobGeneration));
        }
        if (_settings.Timeouts.Start is { } start) _guard.Tell(new TimeoutGuard.Arm(Deadline.Start, start, Elapsed, _runs));
        if (_settings.Timeouts.Run is { } run) _guard.Tell(new TimeoutGuard.Arm(Deadline.Run, run, Elapsed, _runs));
    }

    private void DisarmRunDeadlines()
    {
        _guard.Tell(new TimeoutGuard.Disarm(Deadline.Start));
        _guard.Tell(new TimeoutGuard.Disarm(Deadline.Run));
    }

    private void OnDeadline(TimeoutGuard.DeadlineExceeded m)
    {
        if (m.Deadline == Deadline.Budget)
        {
            if (m.Tag == _jobGeneration) OnBudgetSpent(m.After);
            return;
        }
        if (m.Tag != _runs || _runner is null || _state is not (ProcessState.Starting or ProcessState.Running or ProcessState.Ready)) return;
        if (m.Deadline == Deadline.Start && !_up)
            EndRun($"start timeout: not up within {Seconds(m.After)}, {NotUpBecause()}", timedOut: false);
        else if (m.Deadline == Deadline.Run)
            EndRun($"timed out after {Seconds(m.After)} (timeout.run)", timedOut: true);
    }

    private void OnBudgetSpent(TimeSpan budget)
    {
        _budgetSpent = true;
        switch (_state)
        {
            case ProcessState.Starting or ProcessState.Running or ProcessState.Ready:
                EndRun($"retry budget of {Seconds(budget)} spent", timedOut: true);
                break;
            case ProcessState.BackingOff:
                Timers.Cancel(BackoffTimer);
                _nextStartAt = null;
                Enter(ProcessState.Failed, $"retry budget of {Seconds(budget)} spent while waiting to retry; last run {_lastEndReason}");
                break;
        }
    }

    /// <summary>Stops the current run because of <paramref name="cause"/>; its end will count as a failure.</summary>
    private void EndRun(string cause, bool timedOut)
    {
        if (_runner is null || _state == ProcessState.Stopping) return;
        _runFailCause = cause;
        _timedOut = timedOut;
        StopProbes();
        Enter(ProcessState.Stopping, $"{cause}; SIG{_settings.Stop.SignalName} to the group, SIGKILL after {Seconds(_settings.Stop.Timeout)}");
        _runner.Tell(new ProcessRunner.Stop(cause));
    }

    /// <summary>An operator's stop (or restart, reload, lost lease) takes over a stop this supervisor started.</summary>
    private void TakeOverStop()
    {
        _runFailCause = null;
        _timedOut = false;
    }
}
