using System.Text;
using Actors.Configuration;
using Actors.Logging;
using Xunit;

namespace Actors.Core.Tests.Logging;

/// <summary>A real temporary folder, removed when the test ends.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = Directory.CreateTempSubdirectory("actors-logging-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail the test that used it.
        }
    }
}

/// <summary>A clock the test moves by hand: wall time and the monotonic timestamp move together.</summary>
internal sealed class FakeClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public override long GetTimestamp() => Now.UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by) => Now += by;
}

internal static class LogTest
{
    public static LogSettings Settings(string file, long maxSize = 1 << 30, int keep = 5, bool timestamps = false) =>
        new(file, maxSize, keep, timestamps);

    public static void Write(this ProcessLogWriter writer, string text) => writer.Write(Encoding.UTF8.GetBytes(text));

    /// <summary>The file's lines, checking that it ends at a line boundary (no line cut).</summary>
    public static string[] Lines(string file)
    {
        var text = System.IO.File.ReadAllText(file);
        if (text.Length == 0)
            return [];
        Assert.EndsWith("\n", text);
        return text[..^1].Split('\n');
    }

    /// <summary>All lines of a rotated log, oldest file first.</summary>
    public static List<string> AllLines(string file, int keep)
    {
        var lines = new List<string>();
        for (var i = keep; i >= 1; i--)
        {
            if (System.IO.File.Exists($"{file}.{i}"))
                lines.AddRange(Lines($"{file}.{i}"));
        }
        lines.AddRange(Lines(file));
        return lines;
    }
}
