using System.Diagnostics;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace Actors.Scheduling;

/// <summary>
/// The engine of <see cref="DeadlineScheduler"/>: a min-heap of due times and one background thread that sleeps
/// (<see cref="Monitor.Wait(object, int)"/>) until the earliest entry is due, runs every due entry in due order
/// (ties in scheduling order), re-queues the repeating ones and sleeps again. Nothing wakes it while nothing is
/// due: no tick, unlike Akka's HashedWheelTimerScheduler, whose 10 ms tick kept an idle node at 5-8% CPU.
/// Times are <see cref="TimeSpan"/> ticks of one monotonic <see cref="Stopwatch"/>.
/// </summary>
internal sealed class DeadlineQueue
{
    /// <summary>Cancelled entries stay in the heap until due or purged; purge once the heap doubles past this.</summary>
    private const int MinPurgeCount = 1024;

    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    private readonly PriorityQueue<Entry, (long Due, long Seq)> _heap = new();
    private readonly object _gate = new();
    private readonly ILoggingAdapter _log;
    private readonly Thread _thread;
    private long _seq;
    private int _purgeAt = MinPurgeCount;
    private bool _stopping;

    public DeadlineQueue(ILoggingAdapter log)
    {
        _log = log;
        // A background thread: a scheduler the ActorSystem never disposed must not keep the process alive.
        _thread = new Thread(Run) { IsBackground = true, Name = "actors-scheduler" };
        _thread.Start();
    }

    public static long Now => Clock.Elapsed.Ticks;

    /// <summary>Entries in the heap, cancelled ones not yet purged included (for tests).</summary>
    internal int Count
    {
        get { lock (_gate) return _heap.Count; }
    }

    /// <summary>
    /// Queues <paramref name="action"/> after <paramref name="delay"/> (negative: as soon as possible), then every
    /// <paramref name="interval"/> if that is positive. Throws <see cref="SchedulerException"/> once disposed, as
    /// Akka's own scheduler does: Akka relies on it (a dispatcher shuts down synchronously when it cannot schedule).
    /// </summary>
    public void Add(TimeSpan delay, TimeSpan interval, IRunnable action, ICancelable? cancelable)
    {
        var entry = new Entry(action, cancelable, interval.Ticks);
        lock (_gate)
        {
            if (_stopping) throw new SchedulerException("cannot enqueue after timer shutdown");
            var due = SaturatingAdd(Now, Math.Max(0, delay.Ticks));
            // Wake the thread only when this entry comes before the one it sleeps for.
            var wake = !_heap.TryPeek(out _, out var first) || due < first.Due;
            Enqueue(entry, due);
            if (_heap.Count >= _purgeAt) Purge();
            if (wake) Monitor.Pulse(_gate);
        }
    }

    /// <summary>
    /// Stops the thread (waiting up to <paramref name="timeout"/> for the entries it is running) and then runs
    /// every pending, uncancelled entry once, as HashedWheelTimerScheduler does on dispose: a scheduled tell then
    /// reaches dead letters, a scheduled action (e.g. a timeout completing a task) is not silently lost.
    /// </summary>
    public void Stop(TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        // Dispose called from a scheduled action itself must not wait for its own thread.
        if (Thread.CurrentThread != _thread && !_thread.Join(timeout))
        {
            _log.Warning("Failed to shutdown scheduler within {0}", timeout);
            return;
        }
        List<Entry> pending = [];
        lock (_gate)
        {
            while (_heap.TryDequeue(out var entry, out _))
                if (!entry.Cancelled) pending.Add(entry);
        }
        foreach (var entry in pending)
        {
            try
            {
                entry.Action.Run();
            }
            catch (SchedulerException)
            {
                // From an actor already terminated, as Akka's scheduler ignores it.
            }
            catch (Exception e)
            {
                TryLogError(e, entry);
            }
        }
    }

    /// <summary>
    /// The due time after a repeating entry that was due at <paramref name="due"/> ran at <paramref name="now"/>:
    /// fixed rate, so lateness does not accumulate; after a stall of a whole interval or more (GC pause, overloaded
    /// machine) the missed beats are skipped rather than fired in a burst, and the next one keeps the phase, so a
    /// timer put on <see cref="HousekeepingGrid"/> stays on it.
    /// </summary>
    internal static long NextDue(long due, long interval, long now)
    {
        var next = SaturatingAdd(due, interval);
        return next > now ? next : SaturatingAdd(now - (now - due) % interval, interval);
    }

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private void Enqueue(Entry entry, long due)
    {
        entry.Due = due;
        _heap.Enqueue(entry, (due, _seq++));
    }

    /// <summary>
    /// Drops cancelled entries, so that a timer restarted over and over (each restart cancels the previous one)
    /// cannot grow the heap without bound. Runs when the heap doubles: O(1) amortised per added entry.
    /// </summary>
    private void Purge()
    {
        var live = _heap.UnorderedItems.Where(item => !item.Element.Cancelled).ToList();
        _heap.Clear();
        _heap.EnqueueRange(live);
        _purgeAt = Math.Max(MinPurgeCount, _heap.Count * 2);
    }

    private void Run()
    {
        List<Entry> due = [];
        while (TakeDue(due))
        {
            // Outside the lock: an action may schedule (TimerScheduler restarts, Akka's own timeouts).
            foreach (var entry in due) Fire(entry);
            due.Clear();
        }
    }

    /// <summary>Sleeps until an entry is due, then moves every due entry to <paramref name="due"/>; false once stopping.</summary>
    private bool TakeDue(List<Entry> due)
    {
        lock (_gate)
        {
            while (!_stopping)
            {
                if (!_heap.TryPeek(out _, out var first))
                {
                    Monitor.Wait(_gate);
                    continue;
                }
                var now = Now;
                if (first.Due > now)
                {
                    Monitor.Wait(_gate, WaitMilliseconds(first.Due - now));
                    continue;
                }
                while (_heap.TryPeek(out _, out var next) && next.Due <= now)
                {
                    var entry = _heap.Dequeue();
                    if (!entry.Cancelled) due.Add(entry);
                }
                return true;
            }
            return false;
        }
    }

    /// <summary>Rounded up, so the thread wakes at or after the due time rather than spinning just before it.</summary>
    private static int WaitMilliseconds(long ticks) =>
        (int)Math.Min(int.MaxValue - 1, (ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond);

    private void Fire(Entry entry)
    {
        // Cancelled after it was taken: Akka checks right before running, and so do we.
        if (entry.Cancelled) return;
        try
        {
            entry.Action.Run();
        }
        catch (Exception e)
        {
            // As HashedWheelTimerScheduler: logged, and a failing repeating entry is not run again.
            TryLogError(e, entry);
            return;
        }
        if (entry.Interval <= 0) return;
        lock (_gate)
        {
            // Re-queued even while stopping: Stop runs what is pending once, this entry included.
            Enqueue(entry, NextDue(entry.Due, entry.Interval, Now));
        }
    }

    private void TryLogError(Exception e, Entry entry)
    {
        try
        {
            _log.Error(e, "Error while executing scheduled task {0}", entry.Action);
        }
        catch
        {
            // The logging system may already be gone at shutdown; the scheduler thread must survive.
        }
    }

    private sealed class Entry(IRunnable action, ICancelable? cancelable, long interval)
    {
        public IRunnable Action { get; } = action;
        public long Interval { get; } = interval;
        public long Due { get; set; }
        public bool Cancelled => cancelable?.IsCancellationRequested == true;
    }
}
