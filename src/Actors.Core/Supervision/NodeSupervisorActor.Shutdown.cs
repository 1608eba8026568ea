using Akka.Actor;
using Akka.Event;
using Actors.Configuration;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>
/// The node's own stop (SIGTERM, <c>actors shutdown</c>): in the waves <see cref="DependencyGraph.StopWaves"/> gives,
/// the same order as <c>stop --all</c>: dependents first, everything without an order between them at once, each
/// process with its own <c>stop.timeout</c>, all within <c>node.shutdown-timeout</c>. What still runs when that
/// is reached is killed, and each one is named in the log.
/// </summary>
internal sealed partial class NodeSupervisorActor
{
    private const string ShutdownTimer = "shutdown-timeout";

    private sealed record ShutdownTimeoutReached;

    private readonly TimeSpan _shutdownTimeout;
    // Set by the first StopAll and kept: a node that began to stop takes no more reloads.
    private ShutdownWaves? _shutdown;

    private bool ShuttingDown => _shutdown is not null;

    private void ReceiveShutdown()
    {
        Receive<NodeSupervisor.StopAll>(_ => OnStopAll());
        Receive<ProcessStopped>(m =>
        {
            if (_shutdown is { } shutdown && shutdown.Stopped(m.Name)) StopNextWave();
        });
        Receive<ShutdownTimeoutReached>(_ => KillWhatStillRuns());
    }

    private void OnStopAll()
    {
        if (_shutdown is { Done: false } inProgress)
        {
            inProgress.Waiters.Add(Sender); // answered with everyone else at the end
            return;
        }
        FailQueuedReloads();
        var waves = DependencyGraph.StopWaves(_processes.Select(c => c.Settings).ToList(), _processes.Select(c => c.Name).ToList());
        _shutdown = new ShutdownWaves(waves);
        _shutdown.Waiters.Add(Sender);
        _log.Info("stopping {0} process(es) in {1} wave(s), dependents first, within shutdown-timeout ({2}s)",
            _processes.Count, waves.Count, _shutdownTimeout.TotalSeconds);
        Timers.StartSingleTimer(ShutdownTimer, new ShutdownTimeoutReached(), _shutdownTimeout);
        StopNextWave();
    }

    /// <summary>Once every process of the wave in progress has stopped, tells the next wave; after the last, answers.</summary>
    private void StopNextWave()
    {
        if (_shutdown is not { Done: false } shutdown) return;
        var byName = _processes.ToDictionary(c => c.Name);
        // A supervisor gone for good in the meantime has nothing left to stop.
        foreach (var name in shutdown.TakeNextWave(byName.ContainsKey))
            byName[name].Ref.Tell(new StopProcess("node shutting down"));
        // Processes removed by a reload are still on their way out; "all stopped" includes them.
        if (shutdown.AnyPending || _leaving.Count > 0) return;
        shutdown.Finish();
        Timers.Cancel(ShutdownTimer);
        _log.Info("all processes stopped");
        foreach (var waiter in shutdown.Waiters) waiter.Tell(new NodeSupervisor.AllStopped());
        shutdown.Waiters.Clear();
    }

    /// <summary>
    /// shutdown-timeout reached: every supervisor not yet stopped goes, and with it its runner, which SIGKILLs
    /// its group on the way out (ProcessRunnerActor.PostStop). Each one that still had a run is named; the answer
    /// follows once they are all gone (Terminated).
    /// </summary>
    private void KillWhatStillRuns()
    {
        if (_shutdown is not { Done: false } shutdown) return;
        var seconds = _shutdownTimeout.TotalSeconds;
        var untold = shutdown.TakeUntold();
        foreach (var child in _processes.ToList())
        {
            if (shutdown.IsStopping(child.Name))
                _log.Warning("shutdown-timeout ({0}s) reached: killing {1}, which was still stopping", seconds, child.Name);
            else if (untold.Contains(child.Name))
            {
                // Not told to stop yet (its dependents were still stopping); one with no run is stopped quietly,
                // so that no pending restart can start it now.
                if (_dependencies.HasRun(child.Name))
                    _log.Warning("shutdown-timeout ({0}s) reached: killing {1}, whose dependents were still stopping", seconds, child.Name);
            }
            else continue;
            shutdown.Killing(child.Name);
            Context.Stop(child.Ref);
        }
        foreach (var (leaving, name) in _leaving)
        {
            _log.Warning("shutdown-timeout ({0}s) reached: killing {1}, removed by a reload and still stopping", seconds, name);
            Context.Stop(leaving);
        }
        StopNextWave();
    }

    /// <summary>
    /// A supervisor went during the shutdown (killed at the timeout, or gone for good): nothing to wait for. True
    /// when the shutdown killed it, so that its end is not reported as a loss.
    /// </summary>
    private bool ForgetDuringShutdown(string name)
    {
        if (_shutdown is not { Done: false } shutdown) return false;
        bool killed = shutdown.Forget(name);
        StopNextWave();
        return killed;
    }
}
