using System.IO.MemoryMappedFiles;
using Actors.Node.Hosting;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>How the node gives back the pages of libraries only its start used (see StartupOnlyLibraries).</summary>
public sealed class StartupOnlyLibrariesSpec
{
    [Fact]
    public void The_mappings_of_the_named_files_are_found_in_a_maps_listing()
    {
        string[] maps =
        [
            "7f0000000000-7f0000100000 r--p 00000000 08:01 123  /usr/lib/x86_64-linux-gnu/libcrypto.so.3",
            "7f0000100000-7f0000300000 r-xp 00100000 08:01 123  /usr/lib/x86_64-linux-gnu/libcrypto.so.3",
            "7f0000300000-7f0000301000 rw-p 00000000 00:00 0 ",
            "7f0000400000-7f0000401000 r--p 00000000 08:01 124  /opt/app/libcryptography-not-openssl.so",
            "7f0000500000-7f0000600000 r--p 00000000 08:01 125  /opt/app/Akka.Streams.dll",
            "7f0000600000-7f0000700000 r--p 00000000 08:01 126  /opt/app/Akka.dll",
        ];
        var found = StartupOnlyLibraries.MappingsOf(maps, ["libcrypto.so", "Akka.Streams.dll"]).ToList();
        Assert.Equal(
            [(0x7f0000000000UL, 0x7f0000100000UL), (0x7f0000100000UL, 0x7f0000300000UL), (0x7f0000500000UL, 0x7f0000600000UL)],
            found);
    }

    [Fact]
    public void The_clean_pages_of_a_file_only_this_process_maps_are_no_longer_resident_once_paged_out()
    {
        var dir = Directory.CreateTempSubdirectory("actors-pageout-");
        var path = Path.Combine(dir.FullName, "startup-only-" + Guid.NewGuid().ToString("N") + ".so");
        try
        {
            const int size = 4 << 20;
            File.WriteAllBytes(path, Enumerable.Range(0, size).Select(i => (byte)i).ToArray());
            using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            using var view = file.CreateViewAccessor(0, size, MemoryMappedFileAccess.Read);
            long sum = 0;
            for (int at = 0; at < size; at += 4096) sum += view.ReadByte(at + 1); // every page touched: resident
            Assert.True(sum > 0);
            long before = ResidentKiB(path);
            Assert.True(before >= 3 * 1024, $"only {before} KiB of the 4 MiB file resident after reading all of it");

            long advised = StartupOnlyLibraries.PageOut([Path.GetFileName(path)]);

            Assert.True(advised >= size, $"advised {advised} bytes");
            long after = ResidentKiB(path);
            Assert.True(after < before / 4, $"{after} KiB still resident of {before} KiB");
        }
        finally { dir.Delete(recursive: true); }
    }

    /// <summary>The resident size, in /proc/self/smaps, of every mapping of <paramref name="path"/>.</summary>
    private static long ResidentKiB(string path)
    {
        long total = 0;
        bool inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            if (char.IsAsciiHexDigit(line[0]) && line.Contains('-') && line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 5)
                inside = line.EndsWith(path, StringComparison.Ordinal);
            else if (inside && line.StartsWith("Rss:", StringComparison.Ordinal))
                total += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        return total;
    }
}
