using System.Globalization;
using Actors.Native;

namespace Actors.Processes;

/// <summary>
/// Which output pipes grow, and when. A child's pipe starts at the kernel's default (64 KiB) and grows to
/// <see cref="GrownBytes"/> the first time one read takes a whole default pipe: that child writes faster than the pump
/// reads, and with the bigger pipe it writes many big pieces per wake-up of the pump. A child that prints a line now
/// and then keeps the default.
/// Why not 1 MiB for every pipe at spawn: the kernel counts the pipe pages of each user without CAP_SYS_RESOURCE or
/// CAP_SYS_ADMIN against <c>fs.pipe-user-pages-soft</c> (16384 pages by default). Past it, every new pipe of that user
/// holds 2 pages (8 KiB) and no pipe may grow. A node of an ordinary user that made every child's pipe 1 MiB (256
/// pages) would pass the limit at its 64th pipe: every later child would get an 8 KiB pipe, and so would every shell pipeline of
/// that user (measured as uid 65534: the 65th F_SETPIPE_SZ of 1 MiB failed with EPERM and a new pipe held 8192 bytes).
/// Such a node keeps the pages it adds under a quarter of the limit (<see cref="MaxGrownFor"/>).
/// Pump thread only.
/// </summary>
internal sealed class PipeGrowth
{
    /// <summary>What a pipe grows to: the kernel's <c>fs.pipe-max-size</c> by default, the most an ordinary user may ask.</summary>
    public const int GrownBytes = 1 << 20;

    /// <summary>The kernel's default pipe: 16 pages. A read this big took a whole default pipe: it was full.</summary>
    public const int DefaultBytes = 64 * 1024;

    private const ulong CapSysAdmin = 1UL << 21;
    private const ulong CapSysResource = 1UL << 24;

    private readonly int _maxGrown;
    private int _grown;

    public PipeGrowth(int maxGrown) => _maxGrown = maxGrown;

    /// <summary>For this process: unbounded with either capability (root), else bounded by the user's soft limit.</summary>
    public static PipeGrowth ForThisProcess() =>
        new(MaxGrownFor(Privileged(SmallFiles.ReadFile("/proc/self/status")), SoftLimitPages(), Environment.SystemPageSize));

    private static long SoftLimitPages() =>
        long.TryParse(SmallFiles.ReadFile("/proc/sys/fs/pipe-user-pages-soft")?.Trim(), CultureInfo.InvariantCulture, out var pages) ? pages : 0;

    /// <summary>
    /// How many pipes may be grown at once: without limit for a <paramref name="privileged"/> process or with no soft
    /// limit; else as many as add a quarter of <paramref name="softLimitPages"/>, leaving the rest to the default pipes
    /// of the node's children (500 of them take 8000 pages) and to the user's other programs.
    /// </summary>
    internal static int MaxGrownFor(bool privileged, long softLimitPages, int pageSize) =>
        privileged || softLimitPages <= 0
            ? int.MaxValue
            : (int)Math.Min(int.MaxValue, softLimitPages / 4 / ((GrownBytes - DefaultBytes) / pageSize));

    /// <summary>Pipes grown and not yet released.</summary>
    public int Grown => _grown;

    /// <summary>
    /// After a read took a whole default pipe from <paramref name="pipeFd"/>: grows it, unless it is already as big
    /// (the child made it so itself) or the kernel refuses. <see cref="Outcome.Later"/> when the pipes grown already
    /// take what this process may add: asked again on a later full read, once another grown pipe was released.
    /// </summary>
    public Outcome Consider(int pipeFd)
    {
        if (_grown >= _maxGrown) return Outcome.Later;
        int size = LibC.fcntl(pipeFd, LibC.F_GETPIPE_SZ, 0);
        if (size < 0 || size >= GrownBytes) return Outcome.Never;
        if (LibC.fcntl(pipeFd, LibC.F_SETPIPE_SZ, GrownBytes) < 0) return Outcome.Never;
        _grown++;
        return Outcome.Grown;
    }

    /// <summary>A pipe <see cref="Consider"/> grew was closed: its pages no longer count.</summary>
    public void Released() => _grown--;

    /// <summary>
    /// Whether a process with <paramref name="status"/> (its /proc/PID/status) holds CAP_SYS_ADMIN or CAP_SYS_RESOURCE,
    /// either of which exempts it from the per-user pipe limits. Unreadable: not privileged, the careful side.
    /// </summary>
    internal static bool Privileged(string? status)
    {
        foreach (var line in (status ?? "").Split('\n'))
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                return ulong.TryParse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var caps)
                    && (caps & (CapSysAdmin | CapSysResource)) != 0;
        return false;
    }

    public enum Outcome
    {
        Later,
        Grown,
        Never,
    }
}
