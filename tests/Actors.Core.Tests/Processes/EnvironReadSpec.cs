using System.Diagnostics;
using System.Text;
using Actors.Processes;
using Xunit;

namespace Actors.Core.Tests.Processes;

/// <summary>
/// A process's environment read while it execs (<see cref="ProcTable.ReadEnviron"/>): the file reads the memory the
/// process had at open, and an exec ends that memory, so a read in several parts can stop halfway as if at the end.
/// A run's marker cut off so was taken for "not of the run" and its process outlived its run (issue 14, stop 39).
/// </summary>
public sealed class EnvironReadSpec : IDisposable
{
    private const int Execs = 2000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _script = Path.Combine(Path.GetTempPath(), $"reexec-{Guid.NewGuid():N}.sh");

    public EnvironReadSpec() =>
        // Execs itself until the count runs out: its pid and environment stay, its memory is new every time.
        File.WriteAllText(_script, "[ \"$1\" -gt 0 ] && exec /bin/sh \"$0\" $(($1 - 1))\n");

    public void Dispose() => File.Delete(_script);

    [Fact]
    public void An_environment_read_while_the_process_execs_again_and_again_is_whole_or_empty()
    {
        var start = new ProcessStartInfo("/bin/sh", [_script, Execs.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false };
        // Longer than any first read (File.ReadAllBytes begins with 512 bytes), so a read cut short misses an entry.
        var padding = "PADDING=" + new string('x', 8192);
        start.Environment["PADDING"] = padding["PADDING=".Length..];
        start.Environment["MARKER"] = "yes";
        using var shell = Process.Start(start) ?? throw new InvalidOperationException("sh did not start");
        int reads = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            while (!shell.HasExited && clock.Elapsed < Patience)
            {
                // Empty: a zombie, or the moment of the exec when the new memory has no environment yet.
                if (ProcTable.ReadEnviron(shell.Id) is not { Length: > 0 } environ) continue;
                reads++;
                var entries = Encoding.UTF8.GetString(environ).Split('\0');
                Assert.True(entries.Contains("MARKER=yes") && entries.Contains(padding),
                    $"read {reads} ({environ.Length} bytes) was cut short: MARKER {entries.Contains("MARKER=yes")}, PADDING {entries.Contains(padding)}");
            }
        }
        finally
        {
            if (!shell.HasExited) shell.Kill();
            shell.WaitForExit();
        }
        Assert.True(clock.Elapsed < Patience, $"sh did not exec {Execs} times within {Patience.TotalSeconds} s");
        Assert.True(reads > 0, "no read of the environment while sh ran");
    }

    [Fact]
    public void An_environment_larger_than_the_first_buffer_is_read_whole_and_a_missing_process_has_none()
    {
        var start = new ProcessStartInfo("sleep", "1000") { UseShellExecute = false };
        var large = new string('y', 100_000); // larger than the first buffer: read again in a larger one
        start.Environment["LARGE"] = large;
        using var child = Process.Start(start) ?? throw new InvalidOperationException("sleep did not start");
        try
        {
            byte[]? environ = null;
            // Empty until the child's exec has set up its new memory.
            Assert.True(SpinWait.SpinUntil(() => (environ = ProcTable.ReadEnviron(child.Id)) is { Length: > 0 }, Patience), "no environment read");
            Assert.Contains("LARGE=" + large, Encoding.UTF8.GetString(environ!).Split('\0'));
            Assert.True(ProcTable.EnvironHas(child.Id, "LARGE=" + large));
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }
        Assert.Null(ProcTable.ReadEnviron(int.MaxValue));
    }
}
