using Actors.Processes;

namespace Actors.Probes;

/// <summary>
/// Kills what is left of an exec probe's process group. The one place probes reach into Processes: signals go
/// through <see cref="ProcessGroupSignal"/>, the node's single guarded path, never a bare <c>kill(-pgid)</c>.
/// </summary>
internal static class ProbeNative
{
    private const int SIGKILL = 9;

    /// <summary>
    /// SIGKILL to every member of group <paramref name="pgid"/>, whose leader (the probe command) was already
    /// reaped by .NET: so only while a member carrying this node's marker is in it, as the group id may since
    /// have been handed to someone else. A group that is already empty is fine.
    /// </summary>
    public static void KillGroup(int pgid) => ProcessGroupSignal.ToMarkedGroup(pgid, NodeMarker.OfThisNode, SIGKILL);
}
