using System.Runtime.InteropServices;

namespace Actors.TestDummy.Modes;

/// <summary>
/// Touches a file at an interval: a liveness signal a heartbeat-file probe (or a test) watches. It stops touching
/// the file, but stays alive, after <c>--stop-after MS</c> or on SIGUSR1: a process that hangs without exiting,
/// which only a liveness probe can catch. Prints "heartbeat started" (the file exists and SIGUSR1 may be sent from
/// then on) and "heartbeat stopped".
/// </summary>
internal static class Heartbeat
{
    /// <summary>SIGUSR1 on Linux; <see cref="PosixSignal"/> takes raw numbers for signals it does not name.</summary>
    private const PosixSignal Sigusr1 = (PosixSignal)10;

    public static int Run(string file, TimeSpan interval, TimeSpan? stopAfter)
    {
        using var stop = new ManualResetEventSlim();
        using var usr1 = PosixSignalRegistration.Create(Sigusr1, context =>
        {
            context.Cancel = true;
            stop.Set();
        });
        Touch(file);
        // Printed after the first touch and once SIGUSR1 is handled: a test that waits for it finds the file, and
        // never kills the dummy with an early signal.
        Output.WriteLine(Output.Stdout, "heartbeat started");
        var deadline = stopAfter is { } after ? DateTime.UtcNow + after : DateTime.MaxValue;
        while (deadline - DateTime.UtcNow is var remaining && remaining > TimeSpan.Zero)
        {
            // Sleeps the interval unless SIGUSR1 comes first.
            if (stop.Wait(remaining < interval ? remaining : interval) || DateTime.UtcNow >= deadline)
                break;
            Touch(file);
        }
        Output.WriteLine(Output.Stdout, "heartbeat stopped");
        return SimpleModes.Hang();
    }

    /// <summary>Create if missing, then bump mtime: the same effect as touch(1).</summary>
    private static void Touch(string file)
    {
        using (File.Open(file, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite))
        {
        }
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow);
    }
}
