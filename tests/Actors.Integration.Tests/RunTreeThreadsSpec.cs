using System.Diagnostics;
using System.Text.RegularExpressions;
using Actors.Processes;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// The look at a run's tree when its main process has many threads (a .NET, Java or Go program): a child is listed
/// under the thread that forked it, so every thread's list is read (<see cref="RunTree"/>). The TestDummy forks its
/// child from a thread of its own, not the main one.
/// </summary>
public sealed class RunTreeThreadsSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static (Process Dummy, int Child, int Thread) StartDummy(params string[] args)
    {
        var info = new ProcessStartInfo(TestPaths.DotnetHost) { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var arg in new[] { TestPaths.TestDummy, "spawn-from-thread" }.Concat(args)) info.ArgumentList.Add(arg);
        var dummy = Process.Start(info) ?? throw new InvalidOperationException("the TestDummy did not start");
        var line = dummy.StandardOutput.ReadLineAsync().WaitAsync(Patience).GetAwaiter().GetResult()
            ?? throw new InvalidOperationException("the TestDummy ended before it printed its child");
        var match = Regex.Match(line, @"child (\d+) thread (\d+)");
        Assert.True(match.Success, line);
        return (dummy, int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value));
    }

    private static void End(Process dummy, int child)
    {
        try { Process.GetProcessById(child).Kill(); }
        catch (ArgumentException) { } // gone already
        dummy.Kill();
        Assert.True(dummy.WaitForExit(30_000), "the TestDummy did not end");
    }

    [Fact]
    public void A_child_forked_by_another_thread_in_the_group_leaves_the_tree_in_it()
    {
        var (dummy, child, thread) = StartDummy();
        try
        {
            var main = ProcTable.ReadOne(dummy.Id)!.Value;
            Assert.True(main.Threads > 1, $"{main.Threads} thread(s)");
            Assert.NotEqual(dummy.Id, thread);
            Assert.Contains(child, ProcTable.ChildrenOf(dummy.Id, thread) ?? []);
            Assert.Equal(main.Pgid, ProcTable.ReadOne(child)!.Value.Pgid);
            Assert.True(RunTree.StaysInGroup(dummy.Id, main.StartTime, main.Pgid));
        }
        finally { End(dummy, child); }
    }

    [Fact]
    public void A_child_forked_by_another_thread_that_left_the_group_is_found()
    {
        var (dummy, child, _) = StartDummy("--setsid");
        try
        {
            var main = ProcTable.ReadOne(dummy.Id)!.Value;
            // setsid (the program) calls setsid() in the forked child, then runs sleep: wait until it has.
            Assert.True(SpinWait.SpinUntil(() => ProcTable.ReadOne(child) is { } c && c.Pgid != main.Pgid, Patience),
                "the child did not leave the group");
            Assert.False(RunTree.StaysInGroup(dummy.Id, main.StartTime, main.Pgid));
        }
        finally { End(dummy, child); }
    }
}
