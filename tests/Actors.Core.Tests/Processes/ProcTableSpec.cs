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
}
