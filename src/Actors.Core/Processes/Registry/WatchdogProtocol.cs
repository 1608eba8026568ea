using System.Diagnostics;
using System.Globalization;

namespace Actors.Processes;

/// <summary>
/// A process group held under a lease, for the watchdog's dead-man switch: when the node stops confirming
/// <paramref name="Lease"/>, the watchdog sends <paramref name="Signal"/> (and SIGCONT) to the group
/// <paramref name="Grace"/> before the lease's kill time, then SIGKILL at it.
/// </summary>
public sealed record DeadManFence(string Lease, int Signal, TimeSpan Grace);

/// <summary>
/// A lease holding of the node's in a lease file (<see cref="Actors.Leases.FileLease"/>): lease <paramref name="Lease"/>
/// in <paramref name="Folder"/>, holding <paramref name="Token"/> by <paramref name="Holder"/>. When the node dies, its
/// watchdog kills its groups and then marks this holding released, if the file still names it, so that another node
/// takes the lease at its next try instead of after the TTL.
/// </summary>
public sealed record LeaseHolding(string Lease, long Token, string Holder, string Folder);

/// <summary>
/// The lines the node writes into its watchdog's pipe, one per change, formatted and parsed here only (the node's
/// <see cref="WatchdogLink"/> and the <see cref="Watchdog"/> program share this file):
/// <list type="bullet">
/// <item><c>+PGID STARTTIME NAME</c>: a child started, leader of its group.</item>
/// <item><c>-PGID STARTTIME</c>: it is gone with its group.</item>
/// <item><c>&amp;PGID STARTTIME LEASE SIGNAL GRACE-MS</c>: that group runs under LEASE (see <see cref="DeadManFence"/>).</item>
/// <item><c>~LEASE KILL-AT-MS</c>: the node holds LEASE; its fenced groups must be dead by KILL-AT-MS on the
/// monotonic clock (CLOCK_MONOTONIC in milliseconds: one clock for every process of the machine).</item>
/// <item><c>=LEASE TOKEN HOLDER FOLDER</c>: the node took holding TOKEN of LEASE as HOLDER, in the lease files in FOLDER
/// (HOLDER and FOLDER percent-encoded; see <see cref="LeaseHolding"/>).</item>
/// <item><c>.</c>: the node closes the pipe in order.</item>
/// </list>
/// </summary>
public static class WatchdogProtocol
{
    /// <summary>The node's last line before it closes the pipe in order: what is still listed is killed at once.</summary>
    public const string EndLine = ".";

    /// <summary>Milliseconds on CLOCK_MONOTONIC (Stopwatch on Linux), from a <see cref="Stopwatch.GetTimestamp"/> value.</summary>
    public static long MonotonicMs(long timestamp) => (long)(timestamp / (Stopwatch.Frequency / 1000.0));

    /// <summary>Now, in <see cref="MonotonicMs"/>.</summary>
    public static long NowMs() => MonotonicMs(Stopwatch.GetTimestamp());

    public static string Added(int pgid, long startTime, string name) => Invariant($"+{pgid} {startTime} {name.Replace('\n', ' ')}\n");

    public static string Removed(int pgid, long startTime) => Invariant($"-{pgid} {startTime}\n");

    public static string Fenced(int pgid, long startTime, DeadManFence fence) =>
        Invariant($"&{pgid} {startTime} {fence.Lease} {fence.Signal} {(long)fence.Grace.TotalMilliseconds}\n");

    public static string Renewed(string lease, long killAtMs) => Invariant($"~{lease} {killAtMs}\n");

    public static string Held(LeaseHolding h) =>
        Invariant($"={h.Lease} {h.Token} {Uri.EscapeDataString(h.Holder)} {Uri.EscapeDataString(h.Folder)}\n");

    /// <summary>The holding of a <see cref="Held"/> line (without its newline), or null when the line is not whole.</summary>
    public static LeaseHolding? ParseHeld(string line)
    {
        var parts = line.Split(' ');
        if (parts.Length != 4 || parts[0].Length < 2 || parts[0][0] != '='
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var token) || token < 1
            || parts[2].Length == 0 || parts[3].Length == 0)
            return null;
        return new LeaseHolding(parts[0][1..], token, Uri.UnescapeDataString(parts[2]), Uri.UnescapeDataString(parts[3]));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
