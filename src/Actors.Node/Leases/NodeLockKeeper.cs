using Actors.Native;
using Akka.Actor;
using Akka.Event;
using Actors.Leases;
using Actors.Scheduling;
using Actors.Supervision;

namespace Actors.Node.Leases;

/// <summary>
/// Protocol of the actor that keeps the node lock fresh: it rewrites the holder record every heartbeat
/// interval, so other nodes can tell a live holder from a hung one. A lock file removed from under the node is
/// written again; a lock another node took means two nodes share a state-dir, and this one stops.
/// </summary>
public static class NodeLockKeeper
{
    public const string Name = "node-lock";

    /// <summary>Runs on the blocking-I/O dispatcher: every heartbeat writes and renames a file.</summary>
    public static Props Props(NodeLock nodeLock, TimeSpan interval) =>
        FactoryProps.Of(() => new NodeLockKeeperActor(nodeLock, interval)).WithDispatcher("akka.actor.default-blocking-io-dispatcher");
}

internal sealed class NodeLockKeeperActor : DelegateReceiveActor, IWithTimers
{
    private sealed record Beat;

    /// <summary>Why the node stopped itself.</summary>
    private sealed class LockLost : CoordinatedShutdown.Reason
    {
        public override int ExitCode => 5;
    }

    private readonly NodeLock _lock;
    private readonly TimeSpan _interval;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _failing;

    public ITimerScheduler Timers { get; set; } = null!;

    public NodeLockKeeperActor(NodeLock nodeLock, TimeSpan interval)
    {
        _lock = nodeLock;
        _interval = interval;
        Receive<Beat>(_ => OnBeat());
    }

    /// <summary>
    /// An Akka periodic timer again: under Akka's default scheduler it cost an idle node 5-7% of a core (a 10 ms
    /// tick), so the beat once came from a .NET timer; the node now runs on DeadlineScheduler, where a pending
    /// timer costs nothing between beats (measured: bench/run.py --only idle-timers). The beats fall on
    /// <see cref="HousekeepingGrid"/>, where the node's other housekeeping wakes it too.
    /// </summary>
    protected override void PreStart() =>
        Timers.StartPeriodicTimer(nameof(Beat), new Beat(), HousekeepingGrid.UntilNextBeat(Context.System.Scheduler, _interval), _interval);

    private void OnBeat()
    {
        if (!_lock.StillHeld && NodeLockHolder.Parse(SmallFiles.ReadFile(_lock.Path)) is { } other && other.Pid != Environment.ProcessId)
        {
            _log.Error("the node lock {0} was taken by another node ({1}); stopping this node so that no process runs twice",
                _lock.Path, other.Describe(DateTimeOffset.UtcNow));
            CoordinatedShutdown.Get(Context.System).Run(new LockLost());
            Timers.CancelAll();
            return;
        }
        try
        {
            // Also brings the record back if the file was removed from under the node.
            _lock.Refresh();
            if (_failing) _log.Info("node lock {0}: heartbeat written again", _lock.Path);
            _failing = false;
        }
        catch (IOException e)
        {
            if (!_failing) _log.Warning("node lock: {0}; other nodes will see an ageing heartbeat", e.Message);
            _failing = true;
        }
    }
}
