using Actors.Processes;
using Xunit;

namespace Actors.Core.Tests.Processes;

/// <summary>Reading /proc: the fields the node decides by, and at what cost (the table is read at every run's end).</summary>
public class ProcTableSpec
{
    [Fact]
    public void ReadOne_gives_this_process_its_ids_and_start_time_and_null_for_no_such_pid()
    {
        int self = Environment.ProcessId;
        var entry = Assert.IsType<ProcEntry>(ProcTable.ReadOne(self));
        Assert.Equal(self, entry.Pid);
        Assert.False(entry.Zombie);
        Assert.Equal(ProcStat.ReadStartTime(self), entry.StartTime);
        Assert.Equal(ProcStat.ReadProcessGroup(self), entry.Pgid);
        Assert.Equal(ProcStat.ReadSession(self), entry.Sid);
        Assert.Equal(File.ReadAllText("/proc/self/stat").Split(") ")[1].Split(' ')[1], entry.Ppid.ToString());
        Assert.Null(ProcTable.ReadOne(int.MaxValue));
    }

    [Fact]
    public void Reading_the_table_allocates_little_per_process()
    {
        ProcTable.Read(); // JIT and first-call costs out of the way
        long before = GC.GetAllocatedBytesForCurrentThread();
        var table = ProcTable.Read();
        long perProcess = (GC.GetAllocatedBytesForCurrentThread() - before) / table.Count;
        Assert.Contains(table, e => e.Pid == Environment.ProcessId);
        // The path, a handle and the directory entry's name: a few hundred bytes. A reader with its buffers was
        // several kilobytes per process.
        Assert.InRange(perProcess, 0, 1024);
    }

    [Fact]
    public void Callers_queued_behind_a_read_slower_than_the_max_age_share_it_instead_of_each_reading_again()
    {
        // A read of /proc on a loaded machine: slower than the 20 ms a table may be old for a poll.
        var reads = new CoalescedReads<object>(() => { Thread.Sleep(200); return new object(); }, TimeSpan.FromMilliseconds(20));
        const int callers = 20;
        using var go = new Barrier(callers);
        var threads = Enumerable.Range(0, callers).Select(_ => new Thread(() =>
        {
            go.SignalAndWait();
            reads.Current(System.Diagnostics.Stopwatch.GetTimestamp());
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        // The first read serves those who asked before it began, the next one everyone who asked while it ran.
        Assert.InRange(reads.Reads, 1, 4);
    }

    [Fact]
    public void A_value_read_before_the_callers_moment_is_read_again()
    {
        var reads = new CoalescedReads<object>(() => new object(), TimeSpan.FromMinutes(1));
        var first = reads.Current(System.Diagnostics.Stopwatch.GetTimestamp());
        Assert.Same(first, reads.Current(0)); // young enough, and read after moment 0
        var later = reads.Current(System.Diagnostics.Stopwatch.GetTimestamp());
        Assert.NotSame(first, later);
        Assert.Equal(2, reads.Reads);
    }

    [Fact]
    public async Task Callers_that_ask_while_a_read_is_under_way_are_served_together_by_the_next_read()
    {
        using var reading = new ManualResetEventSlim();
        using var mayFinish = new ManualResetEventSlim();
        var reads = new CoalescedReads<object>(() =>
        {
            reading.Set();
            mayFinish.Wait();
            return new object();
        }, TimeSpan.FromMinutes(1));
        var batched = new BatchedReads<object>(reads.Current);

        // Nobody reading: the first caller reads on its own thread (held there until the others have asked).
        var first = Task.Factory.StartNew(() => batched.ReadAfter(System.Diagnostics.Stopwatch.GetTimestamp()),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        Assert.True(reading.Wait(TimeSpan.FromSeconds(30)), "the first read did not begin");
        var askedAfter = Enumerable.Range(0, 20).Select(_ => batched.ReadAfter(System.Diagnostics.Stopwatch.GetTimestamp())).ToList();
        Assert.All(askedAfter, ask => Assert.False(ask.IsCompleted));
        mayFinish.Set();

        var firstValue = await first.WaitAsync(TimeSpan.FromSeconds(30));
        var values = await Task.WhenAll(askedAfter).WaitAsync(TimeSpan.FromSeconds(30));
        // The first read began before they asked, so it cannot serve them; the one after it serves all twenty.
        Assert.All(values, v => Assert.NotSame(firstValue, v));
        Assert.Single(values.Distinct());
        Assert.Equal(2, reads.Reads);
    }
}
