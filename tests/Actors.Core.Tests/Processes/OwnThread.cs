using Xunit;

namespace Actors.Core.Tests.Processes;

/// <summary>
/// Runs a test's body on a thread of its own, which lives until the body returns (a thread that ends hands the
/// children it forked to another thread of the process), then rethrows here what it threw: thrown on that thread it
/// would end the test host instead of failing the test.
/// </summary>
internal static class OwnThread
{
    public static void Run(Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { body(); }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "the thread did not end");
        if (failure is not null) throw failure;
    }

    /// <summary>This thread's id (<c>/proc/thread-self</c> links to <c>PID/task/TID</c>).</summary>
    public static int CurrentId() => int.Parse(Path.GetFileName(new DirectoryInfo("/proc/thread-self").LinkTarget!));
}
