using Actors.Native;

namespace Actors.Node.Hosting;

/// <summary>
/// Gives back the pages of the libraries a node uses only while it starts, once it has started: they stay resident
/// for good otherwise (the kernel reclaims file pages only under memory pressure), 6 MiB of a node's 61 MiB of PSS
/// with 500 processes (OpenSSL 4.85, Akka.Streams 0.78, ConfigurationManager 0.34; bench/README.md, stop 38). OpenSSL (libcrypto, libssl, .NET's shim and System.Security.Cryptography): Akka 1.5.74 seeds its
/// ThreadLocalRandom from RandomNumberGenerator, which .NET serves from OpenSSL, once, at the first actor.
/// Akka.Streams: Akka.Hosting reads its configuration at start; the node uses no stream. ConfigurationManager: Akka's
/// start looks for an app.config (see NoAppConfig). Measured (bench/README.md, stop 38): a node with 100 processes,
/// PSS 55.3 -> 49.9 MiB, and after a stop and a start of all 100, libcrypto 404 KiB resident of 3.4 MiB (the pages it
/// wrote at load, now anonymous, stay).
/// <para>
/// <c>madvise(MADV_PAGEOUT)</c> drops the clean file pages only this process maps (others' stay); the pages it wrote
/// (relocations) go to swap if there is any, else stay. Nothing breaks if a library is used again: its pages are read back as they are
/// touched. On a kernel older than 5.4 the call fails (EINVAL) and nothing is given back.
/// </para>
/// </summary>
internal static class StartupOnlyLibraries
{
    /// <summary>How the file names of the libraries paged out begin (OpenSSL's carry their version after ".so").</summary>
    private static readonly string[] Names =
    [
        "libcrypto.so", "libssl.so", "libSystem.Security.Cryptography.Native.OpenSsl.so",
        "System.Security.Cryptography.dll", "Akka.Streams.dll", "System.Configuration.ConfigurationManager.dll",
    ];

    /// <summary>Pages the mappings of <see cref="Names"/> out; returns the bytes of the mappings advised.</summary>
    public static long PageOut() => PageOut(Names);

    /// <summary>Pages out this process's mappings of the files whose names begin with one of <paramref name="names"/>.</summary>
    internal static unsafe long PageOut(IReadOnlyList<string> names)
    {
        long advised = 0;
        foreach (var (start, end) in MappingsOf(File.ReadLines("/proc/self/maps"), names))
            if (LibC.madvise((void*)start, (nuint)(end - start), LibC.MADV_PAGEOUT) == 0) advised += (long)(end - start);
        return advised;
    }

    /// <summary>The address ranges of the mappings (lines of /proc/PID/maps) whose file name begins with one of <paramref name="names"/>.</summary>
    internal static IEnumerable<(ulong Start, ulong End)> MappingsOf(IEnumerable<string> lines, IReadOnlyList<string> names)
    {
        foreach (var line in lines)
        {
            // start-end perms offset dev inode path: the path is the sixth field, after padding.
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6) continue;
            var file = Path.GetFileName(fields[5].Trim());
            if (!names.Any(name => file.StartsWith(name, StringComparison.Ordinal))) continue;
            var range = fields[0].Split('-');
            if (range.Length == 2
                && ulong.TryParse(range[0], System.Globalization.NumberStyles.HexNumber, null, out var start)
                && ulong.TryParse(range[1], System.Globalization.NumberStyles.HexNumber, null, out var end)
                && end > start)
                yield return (start, end);
        }
    }
}
