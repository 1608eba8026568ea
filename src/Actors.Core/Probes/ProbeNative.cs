using System.Runtime.InteropServices;

namespace Actors.Probes;

/// <summary>
/// The one libc call probes need: signalling an exec probe's process group. Probes keep their own import rather
/// than reach into Processes (the layering keeps probes independent of the launcher).
/// </summary>
internal static partial class ProbeNative
{
    private const int SIGKILL = 9;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    /// <summary>SIGKILL to every member of group <paramref name="pgid"/>; a group that is already empty is fine.</summary>
    public static void KillGroup(int pgid)
    {
        if (pgid > 1)
            _ = kill(-pgid, SIGKILL);
    }
}
