using System.Diagnostics;

namespace Actors.Core.Tests.Configuration;

/// <summary>
/// What a piece of work cost: the smaller of its wall time and the CPU time this process used meanwhile. On a
/// busy machine the wall time of cheap work grows, and tests running beside it add CPU time, but work that
/// spins grows both, so a bound on the cost holds on a loaded machine and still catches a hang.
/// </summary>
public static class Cost
{
    public static (T Result, TimeSpan Cost, TimeSpan Wall) Of<T>(Func<T> work)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var result = work();
        var wall = clock.Elapsed;
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return (result, wall < used ? wall : used, wall);
    }
}
