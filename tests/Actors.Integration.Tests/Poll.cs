using System.Diagnostics;

namespace Actors.Integration.Tests;

/// <summary>
/// Waits for a condition no event announces (a process leaving /proc, a zombie being reaped): checks it every
/// <c>interval</c> until it holds or <c>bound</c> passes. It returns as soon as the condition holds, so it is no
/// fixed wait. Not SpinWait.SpinUntil: that re-reads /proc thousands of times a second and, on a loaded machine,
/// takes the CPU the node under test needs to make the condition true.
/// </summary>
public static class Poll
{
    public static bool Until(Func<bool> condition, TimeSpan bound, int intervalMs = 20)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > bound) return false;
            Thread.Sleep(intervalMs);
        }
        return true;
    }
}
