using System.Diagnostics;
using Actors.Processes;
using Xunit;

namespace Actors.Core.Tests.Processes;

/// <summary>
/// How the end of a run is known without reading the whole process table: the node's own children, listed from
/// /proc/self/task/TID/children, and which of them could be what a run left behind (issue 14, stop 37).
/// </summary>
public sealed class RunEndSpec
{
    private static Process StartSleeper() =>
        Process.Start(new ProcessStartInfo("sleep", "1000") { UseShellExecute = false })
        ?? throw new InvalidOperationException("sleep did not start");

    private static ProcEntry Entry(int pid) => ProcTable.ReadOne(pid) ?? throw new InvalidOperationException($"no process {pid}");

    private static void End(Process child)
    {
        child.Kill();
        Assert.True(child.WaitForExit(30_000), "the sleeper did not end");
    }

    [Fact]
    public void A_thread_lists_the_children_it_started_while_they_run_and_not_once_reaped()
    {
        List<int>? whileRunning = null, afterReaped = null, ofMainThread = null;
        int pid = 0;
        OwnThread.Run(() =>
        {
            int tid = OwnThread.CurrentId();
            using var child = StartSleeper();
            pid = child.Id;
            whileRunning = ProcTable.ChildrenOf(Environment.ProcessId, tid);
            ofMainThread = ProcTable.ChildrenOf(Environment.ProcessId, Environment.ProcessId);
            End(child); // WaitForExit returned: .NET reaped it
            afterReaped = ProcTable.ChildrenOf(Environment.ProcessId, tid);
        });

        Assert.NotNull(whileRunning);
        Assert.Contains(pid, whileRunning);
        Assert.DoesNotContain(pid, ofMainThread ?? []); // listed under the thread that forked it only
        Assert.NotNull(afterReaped);
        Assert.DoesNotContain(pid, afterReaped);
        Assert.Null(ProcTable.ChildrenOf(Environment.ProcessId, int.MaxValue)); // no such thread
    }

    [Fact]
    public void A_child_started_with_or_after_the_run_could_be_its_descendant_an_older_one_could_not()
    {
        using var child = StartSleeper();
        try
        {
            long started = ProcStat.ReadStartTime(child.Id)!.Value;
            // Started in the same clock tick as the run's main process or later: it may be the run's.
            Assert.False(AdoptedOrphans.NoneCouldDescendFrom([Entry(child.Id)], started));
            Assert.False(AdoptedOrphans.NoneCouldDescendFrom([Entry(child.Id)], started - 1));
            // Started before it: a descendant is never older than the process it descends from.
            Assert.True(AdoptedOrphans.NoneCouldDescendFrom([Entry(child.Id)], started + 1));
        }
        finally { End(child); }
    }

    [Fact]
    public void The_unreaped_main_process_of_a_run_is_no_descendant_of_another_once_reaped_it_proves_nothing()
    {
        using var child = StartSleeper();
        long started = ProcStat.ReadStartTime(child.Id)!.Value;
        // A run's handle for it, as the launcher registers it (no pidfd: nothing here signals through it).
        var run = new LinuxProcessHandle(child.Id, started, -1, runEntry: null);
        AdoptedOrphans.Register(run);
        try
        {
            Assert.True(AdoptedOrphans.NoneCouldDescendFrom([Entry(child.Id)], started));
            // The pump reaped it: the pid is free, so it no longer says who a child with that pid is.
            run.MarkReaped();
            Assert.False(AdoptedOrphans.NoneCouldDescendFrom([Entry(child.Id)], started));
        }
        finally
        {
            run.Release();
            End(child);
        }
    }
}
