using Akka.Event;
using Actors.Configuration;

namespace Actors.Supervision;

/// <summary>
/// Operator intent: start, stop (sticky with <c>Persist</c>: it outlives the node), restart, new settings. A start or
/// restart during stopping is queued and runs once the stop completes, so there are never two instances; concurrent
/// restarts coalesce into that one queued start.
/// </summary>
internal sealed partial class ProcessLifecycle
{
    private const string ConfigurationChanged = "configuration changed";

    private void OnStart(string reason)
    {
        LiftStickyStop();
        if (S.Live)
        {
            Do(new Effect.ReplyStatus(S));
            return;
        }
        Do(new Effect.AwaitStart());
        switch (S.State)
        {
            case ProcessState.Starting:
                break;
            case ProcessState.Stopping:
                // Queued: the start runs once the stop completes, so there are never two instances.
                S = S with { QueuedStart = S.QueuedStart ?? $"{reason} (queued during stop)" };
                break;
            default:
                FreshStart(reason);
                break;
        }
    }

    private void OnStop(string reason, bool persist)
    {
        // The operator's intent is recorded even when nothing runs: "keep it stopped" must outlive the node.
        if (persist) SetIntent(S.Intent with { KeptStopped = true, StopReason = reason, StoppedAt = _now.Wall });
        // A stopped process starts only when asked: it no longer follows a dependency it failed on.
        S = S with { QueuedStart = null, DependencyStart = null, GateStart = null };
        switch (S.State)
        {
            case ProcessState.Starting or ProcessState.Running or ProcessState.Ready:
                Do(new Effect.AwaitStop());
                BeginStop(reason);
                break;
            case ProcessState.Stopping:
                TakeOverStop();
                Do(new Effect.AwaitStop());
                // The stop is now the operator's, no longer (say) a restart's; a waiting start has no state change
                // left to settle on, so it is answered with the stopped status once the run is gone.
                S = S with { StopReason = reason };
                break;
            case ProcessState.Waiting:
                Enter(ProcessState.Stopped, $"{reason} (was {S.Reason})");
                Do(new Effect.ReplyStopped());
                break;
            case ProcessState.BackingOff:
                Do(new Effect.CancelScheduledStart());
                S = S with { NextStartAt = null };
                Enter(ProcessState.Stopped, $"{reason} (pending restart cancelled)");
                Do(new Effect.ReplyStopped());
                break;
            default:
                Do(new Effect.ReplyStopped());
                break;
        }
    }

    private void OnRestart(string reason)
    {
        LiftStickyStop();
        Do(new Effect.AwaitStart());
        switch (S.State)
        {
            case ProcessState.Starting or ProcessState.Running or ProcessState.Ready:
                S = S with { QueuedStart = reason };
                BeginStop(reason);
                break;
            case ProcessState.Stopping:
                TakeOverStop();
                // Concurrent restarts coalesce into the one queued start.
                S = S with { QueuedStart = S.QueuedStart ?? reason };
                break;
            default:
                FreshStart(reason);
                break;
        }
    }

    /// <summary>
    /// A reload changed the declaration: the current run stops and one with the new settings starts; a process kept
    /// stopped by the operator takes the new settings and stays stopped, and so does a stopped one with autostart = off.
    /// </summary>
    private void OnSettings(ProcessSettings settings)
    {
        bool live = S.Active;
        // The run stops under the settings it was started with (its stop signal and timeout), so stop it first.
        if (live) BeginStop(ConfigurationChanged);
        Replace(settings);
        if (S.Intent.KeptStopped)
        {
            Log(LogLevel.InfoLevel, $"{Name}: {ConfigurationChanged}; stays stopped as the operator asked");
            Do(new Effect.ReplyStatus(S));
            return;
        }
        if (!live && S.State == ProcessState.Stopped && !settings.Autostart)
        {
            // Never started, or stopped: with autostart = off only an operator's start runs it.
            Enter(ProcessState.Stopped, AutostartOff);
            Do(new Effect.ReplyStatus(S));
            return;
        }
        Do(new Effect.AwaitStart());
        if (S.State == ProcessState.Stopping) TakeOverStop();
        if (live || S.State == ProcessState.Stopping) S = S with { QueuedStart = S.QueuedStart ?? ConfigurationChanged };
        else FreshStart(ConfigurationChanged);
    }

    private void Replace(ProcessSettings settings)
    {
        // The run in flight (if any) keeps its own spec and log writer; the new ones serve the next run.
        var old = S.Settings;
        S = S with
        {
            Settings = settings,
            LogStale = S.LogStale || !Equals(settings.Log, old.Log),
            Starts = [],
            Attempt = 0,
        };
        // Placed as a singleton now, or no longer: the gate is the node's to open (it tells every singleton), or gone.
        if ((settings.Placement is SingletonPlacement) != (old.Placement is SingletonPlacement))
            S = S with { GateClosed = settings.Placement is SingletonPlacement ? LifecycleState.GateNotYetOpened : null, GateStart = null };
        if (old.Lease == settings.Lease) return;
        // New lease settings: the old keeper stops (and releases its lease), a new one takes over.
        S = S with { LeaseHeld = false, LeaseSeen = null };
        Do(new Effect.ReplaceLeaseKeeper());
    }

    private void BeginStop(string reason)
    {
        TakeOverStop();
        StopProbes();
        S = S with { StopReason = reason };
        Enter(ProcessState.Stopping, $"{reason}; SIG{S.Settings.Stop.SignalName} to the group, SIGKILL after {Seconds(S.Settings.Stop.Timeout)}");
        Do(new Effect.StopGroup(reason));
    }

    private void LiftStickyStop()
    {
        if (S.Intent.KeptStopped) SetIntent(S.Intent with { KeptStopped = false, StopReason = null, StoppedAt = null });
    }
}
