using Akka.Actor;
using Akka.Event;
using Actors.Supervision;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.State;

/// <summary>
/// Protocol of the node's state keeper: it keeps <see cref="NodeStateFile"/> in step with the
/// <see cref="IntentChanged"/> reports of the processes. A change of the operator's sticky stop is written at
/// once (it must survive a <c>kill -9</c> right after <c>actors stop</c>): once the keeper has taken in what was
/// already sent to it, so the changes that came while a write (two fsyncs) was under way go into one write, not one
/// each. A change of only the restart count is written at most once per <see cref="CoalesceInterval"/>, so a
/// crash loop does not hammer the disk.
/// </summary>
public static class StateKeeper
{
    /// <summary>The shortest time between two writes caused by restart counts alone.</summary>
    public static readonly TimeSpan CoalesceInterval = TimeSpan.FromSeconds(1);

    /// <param name="path">The state file.</param>
    /// <param name="initial">What the file held at start, for the declared processes.</param>
    /// <summary>
    /// Runs on Akka's blocking-I/O dispatcher: each save waits for fsync, and must not hold one of the few
    /// threads the supervisors need to restart processes quickly.
    /// </summary>
    public static Props Props(string path, IReadOnlyDictionary<string, SavedIntent> initial) => Props(path, initial, NodeStateFile.Save);

    /// <param name="save">Writes the file (tests count the writes through it).</param>
    internal static Props Props(string path, IReadOnlyDictionary<string, SavedIntent> initial,
        Action<string, IReadOnlyDictionary<string, SavedIntent>> save) =>
        FactoryProps.Of(() => new StateKeeperActor(path, initial, save)).WithDispatcher("akka.actor.default-blocking-io-dispatcher");

    /// <summary>The process is no longer declared (removed by a reload): drop it from the file.</summary>
    public sealed record Forget(string Name);
}

internal sealed class StateKeeperActor : DelegateReceiveActor, IWithTimers
{
    private const string FlushTimer = "flush";
    private sealed record Flush;
    /// <summary>Sent to itself: arrives after whatever was in the mailbox when a change that must be written came.</summary>
    private sealed record WriteNow;

    private readonly string _path;
    private readonly Dictionary<string, SavedIntent> _intents;
    private readonly Action<string, IReadOnlyDictionary<string, SavedIntent>> _save;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _dirty, _writeQueued;

    public ITimerScheduler Timers { get; set; } = null!;

    public StateKeeperActor(string path, IReadOnlyDictionary<string, SavedIntent> initial, Action<string, IReadOnlyDictionary<string, SavedIntent>> save)
    {
        _path = path;
        _intents = new Dictionary<string, SavedIntent>(initial);
        _save = save;

        Receive<IntentChanged>(m =>
        {
            var before = _intents.GetValueOrDefault(m.Name, SavedIntent.Default);
            _intents[m.Name] = m.Intent;
            _dirty = true;
            if (before with { Restarts = 0 } != m.Intent with { Restarts = 0 }) QueueWrite();
            else if (!Timers.IsTimerActive(FlushTimer)) Timers.StartSingleTimer(FlushTimer, new Flush(), StateKeeper.CoalesceInterval);
        });
        Receive<StateKeeper.Forget>(m =>
        {
            if (!_intents.Remove(m.Name)) return;
            _dirty = true;
            QueueWrite();
        });
        Receive<WriteNow>(_ =>
        {
            _writeQueued = false;
            if (_dirty) Write();
        });
        Receive<Flush>(_ => { if (_dirty) Write(); });
    }

    private void QueueWrite()
    {
        if (_writeQueued) return;
        _writeQueued = true;
        Self.Tell(new WriteNow());
    }

    protected override void PostStop()
    {
        if (_dirty) Write();
    }

    private void Write()
    {
        // Whatever was pending is part of this write.
        Timers.Cancel(FlushTimer);
        try
        {
            _save(_path, _intents);
            _dirty = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The node runs on without its state rather than not at all; the next change tries again.
            _log.Warning("cannot write the state file {0}: {1}", _path, e.Message);
        }
    }
}
