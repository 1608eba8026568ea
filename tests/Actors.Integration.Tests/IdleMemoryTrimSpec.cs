using Actors.Node.Hosting;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>When the node gives the garbage of a burst of work back to the system (see IdleMemoryTrim).</summary>
public sealed class IdleMemoryTrimSpec : IDisposable
{
    private const long MiB = 1 << 20;

    private readonly ControlledNode _node = new();

    public void Dispose() => _node.Dispose();

    [Fact]
    public void A_quiet_node_gives_back_the_C_heap_its_start_up_compilations_left_the_JIT_caching()
    {
        _node.WriteConfig($"web {{ {ControlledNode.Sleeper} }}");
        _node.Start();
        _node.AwaitState("web", "running");
        var heap = $"/proc/{_node.Process!.Pid}/smaps";

        // Start-up leaves 9.5 MiB resident in the C heap, most of it slabs the JIT keeps until its finalizer-thread
        // passes free them; without the trim's extra passes it stays there (measured 9.7 MiB a minute after start).
        // The first trim comes 10-20 s after start, its passes 4.2 s later: a minute is a generous bound.
        long resident = -1;
        var released = Poll.Until(() => (resident = HeapResidentKiB(heap)) is >= 0 and < 4 * 1024, TimeSpan.FromSeconds(90), intervalMs: 500);
        Assert.True(released, resident < 0 ? "the node has no [heap] mapping" : $"[heap] still {resident} KiB resident 90 s after start");
    }

    /// <summary>The resident size of the main C heap (the <c>[heap]</c> mapping) in /proc/PID/smaps; -1 when there is none.</summary>
    private static long HeapResidentKiB(string smaps)
    {
        var lines = File.ReadAllLines(smaps);
        var at = Array.FindIndex(lines, l => l.EndsWith("[heap]", StringComparison.Ordinal));
        if (at < 0) return -1;
        var rss = lines.Skip(at + 1).First(l => l.StartsWith("Rss:", StringComparison.Ordinal));
        return long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void A_quiet_node_trims_after_a_burst_of_allocations()
    {
        // 100 MiB allocated by start-up, nothing since the last check.
        Assert.True(IdleMemoryTrim.Due(allocated: 100 * MiB, atLastCheck: 100 * MiB, atLastTrim: 0));
    }

    [Fact]
    public void A_busy_node_is_not_trimmed_however_much_it_allocated()
    {
        // A child logging without pause: 50 MiB in the last period.
        Assert.False(IdleMemoryTrim.Due(allocated: 150 * MiB, atLastCheck: 100 * MiB, atLastTrim: 0));
    }

    [Fact]
    public void A_node_that_stayed_idle_since_its_last_trim_is_not_trimmed_again()
    {
        // A heartbeat's few kilobytes since the trim: nothing worth a collection.
        Assert.False(IdleMemoryTrim.Due(allocated: 100 * MiB + 200_000, atLastCheck: 100 * MiB + 100_000, atLastTrim: 100 * MiB));
    }
}
