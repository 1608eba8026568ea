using Akka.Event;
using Actors.Configuration;
using Actors.Timeouts;

namespace Actors.Supervision;

/// <summary>
/// What <see cref="ProcessLifecycle"/> decided should happen, for the actor to carry out in the order given. "The
/// asker" is the sender of the message the event came from.
/// </summary>
public abstract record Effect
{
    private Effect() { }

    /// <summary>Launch run number <paramref name="Run"/> (a new runner), under the lease token if one is held.</summary>
    public sealed record Launch(int Run, long? LeaseToken) : Effect;
    /// <summary>Stop the current run's group: stop signal, SIGKILL after stop.timeout; at once with <paramref name="KillNow"/>.</summary>
    public sealed record StopGroup(string Reason, bool KillNow = false) : Effect;
    /// <summary>Open the log for the current settings; answer with <see cref="LifecycleEvent.LogOpened"/> at once.</summary>
    public sealed record OpenLog : Effect;
    /// <summary>Start again after <paramref name="Delay"/> (<see cref="LifecycleEvent.BackoffElapsed"/>).</summary>
    public sealed record ScheduleStart(TimeSpan Delay) : Effect;
    public sealed record CancelScheduledStart : Effect;
    /// <summary>Report <see cref="LifecycleEvent.DeadlinePassed"/> with <paramref name="Tag"/> once <paramref name="After"/> from <paramref name="From"/> has passed.</summary>
    public sealed record ArmDeadline(Deadline Deadline, TimeSpan After, TimeSpan From, int Tag) : Effect;
    public sealed record DisarmDeadline(Deadline Deadline) : Effect;
    /// <summary>Start probing pid <paramref name="Pid"/> of run <paramref name="Run"/> with <paramref name="Probe"/>.</summary>
    public sealed record StartProbe(ProbeSettings Probe, int Run, int Pid) : Effect;
    public sealed record StopProbe(ProbeRole Role) : Effect;
    public sealed record StopProbes : Effect;
    public sealed record AcquireLease : Effect;
    public sealed record ReleaseLease : Effect;
    /// <summary>The lease settings changed: the old keeper goes (and releases), a new one is made if one is declared.</summary>
    public sealed record ReplaceLeaseKeeper : Effect;

    /// <summary>A state change: into the trail (already in the state), to the parent and to the log.</summary>
    public sealed record Report(Transition Transition, Processes.ExitStatus? LastExit) : Effect;
    public sealed record Log(LogLevel Level, string Text) : Effect;
    /// <summary>What must survive a node restart changed: tell the node, which saves it.</summary>
    public sealed record SaveIntent(SavedIntent Intent) : Effect;

    /// <summary>Answer the asker with the status of <paramref name="At"/>.</summary>
    public sealed record ReplyStatus(LifecycleState At) : Effect;
    /// <summary>Answer the asker that the process is stopped.</summary>
    public sealed record ReplyStopped : Effect;
    /// <summary>The asker waits until the start settles (<see cref="SettleStarts"/>).</summary>
    public sealed record AwaitStart : Effect;
    /// <summary>The asker waits until the run is gone (<see cref="SettleStops"/>).</summary>
    public sealed record AwaitStop : Effect;
    /// <summary>The start settled: answer every waiting asker with the status of <paramref name="At"/>.</summary>
    public sealed record SettleStarts(LifecycleState At) : Effect;
    /// <summary>The run is gone: answer every asker of a stop.</summary>
    public sealed record SettleStops : Effect;
}
