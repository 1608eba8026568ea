using System.Diagnostics;
using Actors.Processes;
using Xunit;

namespace Actors.Core.Tests.Processes;

/// <summary>
/// Whether a live run has anything outside its group, read from its own process tree instead of the whole table
/// (<see cref="RunTree"/>, issue 14, stop 38). The shells here are children of the test host, in its group.
/// </summary>
public sealed class RunTreeSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly int OurGroup = ProcTable.ReadOne(Environment.ProcessId)!.Value.Pgid;

    /// <summary>Starts <c>sh -c SCRIPT</c> and waits (bounded) until it has <paramref name="children"/> children that ran their command.</summary>
    private static (Process Shell, long StartTime, List<int> Children) StartShell(string script, int children)
    {
        var shell = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", script]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("sh did not start");
        long start = ProcStat.ReadStartTime(shell.Id)!.Value;
        List<int> found = [];
        // A child has run its command once it is no longer a copy of sh (exec'd sleep, or setsid that exec'd sleep).
        if (SpinWait.SpinUntil(() => (found = (ProcTable.ChildrenOf(shell.Id, shell.Id) ?? []).Where(IsSleep).ToList()).Count >= children, Patience))
            return (shell, start, found);
        End(shell, found);
        throw new TimeoutException($"sh had {found.Count} of {children} children running sleep after {Patience.TotalSeconds} s");
    }

    private static bool IsSleep(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim() == "sleep"; }
        catch (IOException) { return false; }
    }

    /// <summary>Kills the shell's whole tree (its children by pid: the setsid'd one is in no group of ours) and reaps the shell.</summary>
    private static void End(Process shell, IEnumerable<int>? children = null)
    {
        foreach (int child in children ?? []) Kill(child);
        shell.Kill();
        Assert.True(shell.WaitForExit(30_000), "sh did not end");
    }

    private static void Kill(int pid)
    {
        try { Process.GetProcessById(pid).Kill(); }
        catch (ArgumentException) { } // gone already
    }

    [Fact]
    public void A_tree_whose_processes_are_all_in_the_group_stays_in_it()
    {
        var (shell, start, children) = StartShell("sleep 1000 & sleep 1000 & wait", 2);
        try
        {
            Assert.All(children, c => Assert.Equal(OurGroup, ProcTable.ReadOne(c)!.Value.Pgid));
            Assert.True(RunTree.StaysInGroup(shell.Id, start, OurGroup));
            // Another group id: the main process itself is outside it.
            Assert.False(RunTree.StaysInGroup(shell.Id, start, OurGroup + 1));
        }
        finally { End(shell, children); }
    }

    [Fact]
    public void A_child_that_left_the_group_is_found_in_the_tree()
    {
        var (shell, start, children) = StartShell("sleep 1000 & setsid sleep 1000 & wait", 2);
        try
        {
            // setsid runs in a forked child of sh (no group leader), so it leaves the group without forking again.
            Assert.Single(children, c => ProcTable.ReadOne(c)!.Value.Pgid != OurGroup);
            Assert.False(RunTree.StaysInGroup(shell.Id, start, OurGroup));
        }
        finally { End(shell, children); }
    }

    [Fact]
    public void A_tree_larger_than_the_walk_is_left_to_the_table()
    {
        int many = RunTree.MaxWalked; // with the shell itself, one more than the walk reads
        var (shell, start, children) = StartShell($"for i in $(seq {many}); do sleep 1000 & done; wait", many);
        try
        {
            Assert.False(RunTree.StaysInGroup(shell.Id, start, OurGroup));
        }
        finally { End(shell, children); }
    }

    [Fact]
    public void A_main_process_that_is_gone_has_nothing_left_in_its_tree_and_its_pid_is_not_taken_for_it()
    {
        var (shell, start, children) = StartShell("sleep 1000 & wait", 1);
        End(shell, children);
        // Reaped: whatever it left was handed to an adopter, which the caller asks about (AdoptedOrphans).
        Assert.True(RunTree.StaysInGroup(shell.Id, start, OurGroup + 1));
        // A live process under that pid but another start time is someone else: not walked (our own pid stands in).
        long ourStart = ProcStat.ReadStartTime(Environment.ProcessId)!.Value;
        Assert.True(RunTree.StaysInGroup(Environment.ProcessId, ourStart + 1, OurGroup + 1));
        Assert.False(RunTree.StaysInGroup(Environment.ProcessId, ourStart, OurGroup + 1));
    }

    [Fact]
    public void The_threads_of_a_process_and_the_children_each_started_are_listed()
    {
        List<int>? threads = null, children = null, ofMainThread = null;
        int tid = 0, pid = 0;
        OwnThread.Run(() =>
        {
            tid = OwnThread.CurrentId();
            using var child = Process.Start(new ProcessStartInfo("sleep", "1000") { UseShellExecute = false })!;
            pid = child.Id;
            threads = ProcTable.ThreadsOf(Environment.ProcessId);
            children = ProcTable.ChildrenOf(Environment.ProcessId, tid);
            ofMainThread = ProcTable.ChildrenOf(Environment.ProcessId, Environment.ProcessId);
            child.Kill();
            Assert.True(child.WaitForExit(30_000), "the sleeper did not end");
        });

        Assert.NotNull(threads);
        Assert.Contains(tid, threads);
        Assert.Contains(Environment.ProcessId, threads); // the main thread's id is the process's
        Assert.NotNull(children);
        Assert.Contains(pid, children);
        Assert.DoesNotContain(pid, ofMainThread ?? []);
        Assert.Null(ProcTable.ThreadsOf(int.MaxValue));
        Assert.Null(ProcTable.ChildrenOf(int.MaxValue, int.MaxValue));
    }

    [Fact]
    public void A_listing_whose_children_are_all_still_there_after_it_is_taken_as_read()
    {
        var (shell, _, children) = StartShell("sleep 1000 & sleep 1000 & wait", 2);
        try
        {
            int listings = 0;
            var stable = ProcTable.StableChildren(shell.Id, () => { listings++; return ProcTable.ChildrenOf(shell.Id, shell.Id); });
            Assert.NotNull(stable);
            Assert.Equal(children.Order(), stable.Select(c => c.Pid).Order());
            Assert.All(stable, c => Assert.Equal(shell.Id, c.Ppid));
            Assert.Equal(1, listings);
        }
        finally { End(shell, children); }
    }

    /// <summary>
    /// The kernel skips a child for each listed one that left during the listing: a listing that names a child gone
    /// since (here a reaped process's pid) is read again, and the next one, with every child still there, is taken.
    /// </summary>
    [Fact]
    public void A_listing_that_names_a_child_gone_since_is_read_again()
    {
        var (shell, _, children) = StartShell("sleep 1000 & sleep 1000 & wait", 2);
        var (gone, _, goneChildren) = StartShell("sleep 1000 & wait", 1);
        End(gone, goneChildren);
        try
        {
            int listings = 0;
            var stable = ProcTable.StableChildren(shell.Id, () => ++listings == 1 ? [children[0], gone.Id, children[1]] : ProcTable.ChildrenOf(shell.Id, shell.Id));
            Assert.NotNull(stable);
            Assert.Equal(children.Order(), stable.Select(c => c.Pid).Order());
            Assert.Equal(2, listings);
        }
        finally { End(shell, children); }
    }

    [Fact]
    public void A_listing_that_never_holds_still_or_names_a_child_of_another_parent_is_left_to_the_table()
    {
        var (shell, _, children) = StartShell("sleep 1000 & wait", 1);
        try
        {
            // Our own pid: a live process, but no child of the shell (a child handed to an adopter looks so).
            int listings = 0;
            Assert.Null(ProcTable.StableChildren(shell.Id, () => { listings++; return [children[0], Environment.ProcessId]; }));
            Assert.Equal(ProcTable.ListingAttempts, listings);
            Assert.Null(ProcTable.StableChildren(shell.Id, () => null)); // no list at all
        }
        finally { End(shell, children); }
    }
}
