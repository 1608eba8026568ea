using Akka.Actor;
using Akka.Event;

namespace Actors.Leases;

/// <summary>
/// Protocol of the actor that keeps the node lock fresh: it rewrites the holder record every heartbeat
/// interval, so other nodes can tell a live holder from a hung one. A lock file removed from under the node is
/// written again; a lock another node took means two nodes share a state-dir, and this one stops.
/// </summary>
public static class NodeLockKeeper
{
    public const string Name = "node-lock";

    /// <summary>Runs on the blocking-I/O dispatcher: every heartbeat waits for fsync.</summary>
    public static Props Props(NodeLock nodeLock, TimeSpan interval) =>
        Akka.Actor.Props.Create(() => new NodeLockKeeperActor(nodeLock, interval)).WithDispatcher("akka.actor.default-blocking-io-dispatcher");
}

internal sealed class NodeLockKeeperActor : ReceiveActor
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
    private Timer? _beat;

    public NodeLockKeeperActor(NodeLock nodeLock, TimeSpan interval)
    {
        _lock = nodeLock;
        _interval = interval;
        Receive<Beat>(_ => OnBeat());
    }

    /// <summary>
    /// The beat comes from a .NET timer, not the actor's scheduler: measured here, one periodic Akka timer in an
    /// otherwise idle node cost 5-7% of a core (its scheduler thread ticks every 10 ms and wakes the dispatcher
    /// threads), against 0.1% without it. The heartbeat has no policy for virtual time to test.
    /// </summary>
    protected override void PreStart()
    {
        var self = Self;
        _beat = new Timer(_ => self.Tell(new Beat()), null, _interval, _interval);
    }

    protected override void PostStop() => _beat?.Dispose();

    private void OnBeat()
    {
        if (!_lock.StillHeld && NodeLockHolder.Parse(LockFileNative.ReadFile(_lock.Path)) is { } other && other.Pid != Environment.ProcessId)
        {
            _log.Error("the node lock {0} was taken by another node ({1}); stopping this node so that no process runs twice",
                _lock.Path, other.Describe(DateTimeOffset.UtcNow));
            CoordinatedShutdown.Get(Context.System).Run(new LockLost());
            _beat?.Dispose();
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
