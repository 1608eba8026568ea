using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;
using Actors.Scheduling;

namespace Actors.TestKit;

/// <summary>
/// The discrete-event clock of a <see cref="Simulation"/>: an Akka scheduler whose time moves only when the
/// simulation runs the next due item, and then exactly to that item's due time (TestKit's TestScheduler moves to the
/// end of an <c>Advance</c> first and runs what fell due on the way late). Items due at the same instant run in the
/// order they were scheduled, so a run is repeatable to the byte. Not <see cref="IDateTimeOffsetNowTimeProvider"/>:
/// the policy clocks read <c>Now</c> (see <c>PolicyClock.Of</c>).
/// </summary>
internal sealed class VirtualScheduler : SchedulerBase
{
    /// <summary>Where virtual time starts: fixed, so that wall-clock times in reasons are the same on every run.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public const string Hocon = "akka.scheduler.implementation = \"Actors.TestKit.VirtualScheduler, Actors.TestKit\"";

    private readonly object _gate = new();
    private readonly PriorityQueue<Entry, (long Due, long Sequence)> _queue = new();
    private long _now, _sequence;

    /// <summary>An item; a repeating one goes back into the queue as the same object with its next due time.</summary>
    private sealed class Entry(long due, TimeSpan interval, IRunnable action, ICancelable? cancelable)
    {
        public long Due { get; set; } = due;
        public TimeSpan Interval { get; } = interval;
        public IRunnable Action { get; } = action;
        public ICancelable? Cancelable { get; } = cancelable;
    }

    /// <summary>The constructor Akka activates with the ActorSystem's config and log.</summary>
    public VirtualScheduler(Config config, ILoggingAdapter log) : base(config, log) { }

    /// <summary>Virtual time since <see cref="Epoch"/>.</summary>
    public TimeSpan Elapsed { get { lock (_gate) return TimeSpan.FromTicks(_now); } }

    protected override DateTimeOffset TimeNow => Epoch + Elapsed;

    public override TimeSpan MonotonicClock => Elapsed;

    public override TimeSpan HighResMonotonicClock => Elapsed;

    /// <summary>Items waiting, cancelled ones not yet dropped included.</summary>
    public int Pending { get { lock (_gate) return _queue.Count; } }

    /// <summary>
    /// Runs the earliest item due at or before <paramref name="until"/> (virtual time since the epoch), after moving
    /// the clock to its due time; false when none is due by then. The item runs on the caller's thread, and with the
    /// calling-thread dispatcher so does everything it sets off: when this returns, every actor has settled.
    /// </summary>
    public bool RunNext(TimeSpan until)
    {
        Entry entry;
        lock (_gate)
        {
            while (true)
            {
                if (!_queue.TryPeek(out var next, out _) || next.Due > until.Ticks) return false;
                _queue.Dequeue();
                if (next.Cancelable is { IsCancellationRequested: true }) continue;
                entry = next;
                break;
            }
            _now = Math.Max(_now, entry.Due);
            if (entry.Interval > TimeSpan.Zero)
            {
                entry.Due = _now + entry.Interval.Ticks;
                Add(entry);
            }
        }
        entry.Action.Run();
        return true;
    }

    /// <summary>Moves the clock to <paramref name="to"/> with nothing due in between (call after <see cref="RunNext"/> said false).</summary>
    public void MoveTo(TimeSpan to)
    {
        lock (_gate) _now = Math.Max(_now, to.Ticks);
    }

    /// <summary>The due time of the earliest live item, if any.</summary>
    public TimeSpan? NextDue()
    {
        lock (_gate)
        {
            while (_queue.TryPeek(out var next, out _))
            {
                if (next.Cancelable is not { IsCancellationRequested: true }) return TimeSpan.FromTicks(next.Due);
                _queue.Dequeue();
            }
            return null;
        }
    }

    private void Add(Entry entry) => _queue.Enqueue(entry, (entry.Due, _sequence++));

    private void Schedule(TimeSpan delay, TimeSpan interval, IRunnable action, ICancelable? cancelable)
    {
        lock (_gate) Add(new Entry(_now + Math.Max(0, delay.Ticks), interval, action, cancelable));
    }

    protected override void InternalScheduleTellOnce(TimeSpan delay, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable) =>
        Schedule(delay, TimeSpan.Zero, new ScheduledTell(receiver, message, sender), cancelable);

    protected override void InternalScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable) =>
        Schedule(initialDelay, interval, new ScheduledTell(receiver, message, sender), cancelable);

    protected override void InternalScheduleOnce(TimeSpan delay, Action action, ICancelable cancelable) =>
        Schedule(delay, TimeSpan.Zero, new ActionRunnable(action), cancelable);

    protected override void InternalScheduleOnce(TimeSpan delay, IRunnable action, ICancelable cancelable) =>
        Schedule(delay, TimeSpan.Zero, action, cancelable);

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action, ICancelable cancelable) =>
        Schedule(initialDelay, interval, new ActionRunnable(action), cancelable);

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, IRunnable action, ICancelable cancelable) =>
        Schedule(initialDelay, interval, action, cancelable);
}
