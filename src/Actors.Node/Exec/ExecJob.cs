using static Actors.Native.LibC;
using Akka.Actor;
using Actors.Configuration;
using Actors.Processes;
using Actors.Supervision;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Node.Exec;

/// <summary>
/// Protocol of the one-shot runner behind <c>actors exec</c>: the parent of one <see cref="ProcessSupervisor"/>
/// for the job, which applies every policy (timeout, retries, backoff, exit classes) exactly as on a node. It
/// completes <c>done</c> with exec's exit code once the job is over.
/// </summary>
internal static class ExecJob
{
    public static Props Props(ProcessSettings settings, SupervisorOptions options, ExecReport report, TaskCompletionSource<int> done) =>
        FactoryProps.Of(() => new ExecJobActor(settings, options, report, done));

    /// <summary>A signal exec received (SIGINT, SIGTERM, SIGHUP, SIGQUIT): passed on to the job's group; no retry after it.</summary>
    public sealed record Interrupt(int Signal);
}

internal sealed class ExecJobActor : DelegateReceiveActor, IWithTimers
{
    private sealed record KillAfterElapsed;

    private readonly ProcessSettings _settings;
    private readonly SupervisorOptions _options;
    private readonly ExecReport _report;
    private readonly TaskCompletionSource<int> _done;
    private IActorRef _job = ActorRefs.Nobody;
    private ProcessState _state = ProcessState.Starting;
    // The first signal received, and whether a run was going when it came (then its exit is exec's code).
    private int? _interrupt;
    private bool _runInterrupted, _runEnded, _killed, _toldPassedOn;
    private ExitStatus? _interruptedExit;
    private string? _crash;

    public ITimerScheduler Timers { get; set; } = null!;

    public ExecJobActor(ProcessSettings settings, SupervisorOptions options, ExecReport report, TaskCompletionSource<int> done)
    {
        _settings = settings;
        _options = options;
        _report = report;
        _done = done;
        Receive<ProcessStateChanged>(OnStateChanged);
        Receive<ExecJob.Interrupt>(OnInterrupt);
        Receive<KillAfterElapsed>(_ => Kill($"the group did not exit within {_settings.Stop.Timeout.TotalSeconds:0.###}s of {SignalNames.Describe(_interrupt ?? 0)}; SIGKILL to the group"));
        Receive<SignalSent>(m =>
        {
            if (_toldPassedOn) return;
            _toldPassedOn = true;
            _report.Detail($"{SignalNames.Describe(_interrupt ?? 0)} received: passed on to the group of pid {m.Pid}; no retry after it");
        });
        // Nothing was running to take the signal (starting, or between runs): stop the job instead, which also
        // cancels a pending retry.
        Receive<CommandRefused>(_ => _job.Tell(new StopProcess(InterruptReason)));
        Receive<ProcessStopped>(_ => { });
        Receive<IntentChanged>(_ => { });
        Receive<Terminated>(_ => Finish(ExecExitCodes.Internal, $"the job's supervisor stopped unexpectedly{(_crash is null ? "" : $": {_crash}")}"));
    }

    private string InterruptReason => $"actors exec received {SignalNames.Describe(_interrupt ?? 0)}";

    protected override void PreStart() => _job = Context.Watch(Context.ActorOf(ProcessSupervisor.Props(_settings, _options), "job"));

    /// <summary>The job's supervisor must never be restarted: that would run the command again.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        _crash = e.Message;
        return Directive.Stop;
    }, loggingEnabled: false);

    private void OnStateChanged(ProcessStateChanged m)
    {
        _state = m.State;
        _report.StateChanged(m);
        if (_interrupt is not null)
        {
            if (m.State is ProcessState.BackingOff or ProcessState.Failed or ProcessState.Completed or ProcessState.Stopped)
            {
                if (!_runEnded && _runInterrupted) _interruptedExit = m.LastExit;
                _runEnded = true;
            }
            // The run that got the signal is over and a retry is pending (or, with a zero backoff, has just
            // started): stop the job; there is no retry after a signal.
            if (m.State == ProcessState.BackingOff || (_runEnded && m.State is ProcessState.Starting or ProcessState.Running or ProcessState.Ready))
                _job.Tell(new StopProcess(InterruptReason));
        }
        if (m.State is ProcessState.Completed or ProcessState.Failed or ProcessState.Stopped)
            Finish(ExecExitCodes.Of(m, _interrupt, _runInterrupted ? _interruptedExit : null), null);
    }

    private void OnInterrupt(ExecJob.Interrupt m)
    {
        if (_done.Task.IsCompleted) return;
        if (_interrupt is not null)
        {
            // A second Ctrl-C: the user does not want to wait for the grace period.
            Kill($"{SignalNames.Describe(m.Signal)} received again; SIGKILL to the group");
            return;
        }
        _interrupt = m.Signal;
        _runEnded = true;
        if (_state is ProcessState.Starting or ProcessState.Running or ProcessState.Ready or ProcessState.Stopping)
        {
            _runInterrupted = true;
            _runEnded = false;
            _job.Tell(new SignalProcess(m.Signal, Signals.NameOf(m.Signal), WholeGroup: true));
            Timers.StartSingleTimer("kill-after", new KillAfterElapsed(), _settings.Stop.Timeout);
        }
        else
        {
            _report.Detail($"{SignalNames.Describe(m.Signal)} received between runs; no retry after it");
            _job.Tell(new StopProcess(InterruptReason));
        }
    }

    private void Kill(string why)
    {
        if (_killed || _done.Task.IsCompleted) return;
        _killed = true;
        Timers.Cancel("kill-after");
        _report.Line(why);
        _job.Tell(new SignalProcess(SIGKILL, "KILL", WholeGroup: true));
    }

    private void Finish(int code, string? why)
    {
        if (_done.Task.IsCompleted) return;
        if (why is not null) _report.Line(why);
        Timers.CancelAll();
        _done.TrySetResult(code);
    }
}
