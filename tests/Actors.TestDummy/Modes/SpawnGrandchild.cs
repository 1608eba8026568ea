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
