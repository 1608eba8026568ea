using System.Runtime.InteropServices;

namespace Actors.TestDummy.Modes;

/// <summary>Modes that only wait: a finite job, a hung service, and one that ignores the stop signal.</summary>
internal static class SimpleModes
{
    public static int Sleep(TimeSpan duration)
    {
        Thread.Sleep(duration);
        return 0;
    }

    public static int Hang()
    {
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    /// <summary>
    /// Makes the supervisor escalate to SIGKILL after its stop timeout. "ready" is printed only after both
    /// handlers are in place, so a test that waits for it never races the registration.
    /// </summary>
    public static int IgnoreSigterm()
    {
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => context.Cancel = true);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        Output.WriteLine(Output.Stdout, "ready");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
