using System.Diagnostics;

namespace Actors.TestDummy.Modes;

/// <summary>
/// Leaves hanging children in the same process group (no setsid), to prove the supervisor stops the whole
/// group and never orphans them.
/// </summary>
internal static class SpawnGrandchild
{
    public static int Run(int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var child = Process.Start(SelfStartInfo("hang"))
                ?? throw new InvalidOperationException("could not start a grandchild");
            Output.WriteLine(Output.Stdout, $"grandchild {child.Id}");
        }
        Output.WriteLine(Output.Stdout, "ready");
        return SimpleModes.Hang();
    }

    /// <summary>Starts this program again, whether it runs as its apphost or as <c>dotnet Actors.TestDummy.dll</c>.</summary>
    private static ProcessStartInfo SelfStartInfo(string mode)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("unknown process path");
        var info = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileName(host) is "dotnet" or "dotnet.exe")
            info.ArgumentList.Add(typeof(SpawnGrandchild).Assembly.Location);
        info.ArgumentList.Add(mode);
        return info;
    }
}

/// <summary>
/// Starts <c>sleep 1000</c> from a thread other than the main one, which then waits on: the child is listed under that
/// thread (<c>/proc/PID/task/TID/children</c>), not under the main thread. With <c>setsid</c> the child leaves the group.
/// </summary>
internal static class SpawnFromThread
{
    public static int Run(bool setsid)
    {
        var started = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            var info = setsid ? new ProcessStartInfo("/usr/bin/setsid", ["/bin/sleep", "1000"]) : new ProcessStartInfo("/bin/sleep", ["1000"]);
            info.UseShellExecute = false;
            using var child = Process.Start(info) ?? throw new InvalidOperationException("could not start the child");
            Output.WriteLine(Output.Stdout, $"child {child.Id} thread {File.ReadAllText("/proc/thread-self/stat").Split(' ')[0]}");
            started.Set();
            SimpleModes.Hang(); // the thread that forked it stays: one that ends hands its children to another
        }) { IsBackground = true };
        thread.Start();
        started.Wait();
        return SimpleModes.Hang();
    }
}
