using System.Globalization;
using Actors.TestDummy.Modes;

namespace Actors.TestDummy;

/// <summary>
/// A console program the tests and benchmarks supervise: each mode is one behaviour a real service may show
/// (crash, hang, flood its output, ignore SIGTERM, leave grandchildren behind, ...).
/// </summary>
internal static class Program
{
    internal const string Usage =
        "usage: Actors.TestDummy exit N | sleep SECONDS | print N [--then-exit CODE] | print-both N | ignore-sigterm"
        + " | spawn-grandchild [N] | spawn-from-thread [--setsid]"
        + " | heartbeat FILE [INTERVAL-MS] [--stop-after MS] | serve-http PORT [--ready-file FILE | --ready-after MS]"
        + " | hang | record-start FILE MODE [ARGS] | notify-ready [--when-file FILE] | fence FILE [INTERVAL-MS]\n"
        + "  fence: appends \"$ACTORS_LEASE_TOKEN MONOTONIC-NS\" to FILE (O_APPEND) at its start and every INTERVAL-MS (50)\n"
        + "  notify-ready: sends STATUS=, then READY=1 (once FILE exists) to $NOTIFY_SOCKET as sd_notify does, then runs on\n"
        + "  heartbeat: touches FILE every INTERVAL-MS (200); stops touching it but stays alive after --stop-after MS or on"
        + " SIGUSR1 (prints \"heartbeat started\", then \"heartbeat stopped\")\n"
        + "  serve-http: answers any request (GET /health) 200 ok, or 503 while --ready-file FILE is missing or until"
        + " --ready-after MS have passed; PORT 0 picks a free port; prints \"listening on PORT\"";

    /// <summary>Exit code for bad usage (BSD sysexits EX_USAGE), distinct from any code a test asks for.</summary>
    internal const int UsageExitCode = 64;

    private static int Main(string[] args)
    {
        try
        {
            return Run(args);
        }
        catch (UsageException)
        {
            Console.Error.WriteLine(Usage);
            return UsageExitCode;
        }
    }

    /// <summary>Runs one mode; <c>record-start</c> recurses into the mode that follows it.</summary>
    internal static int Run(ReadOnlySpan<string> args)
    {
        if (args.Length == 0)
            throw new UsageException();

        var rest = args[1..];
        return args[0] switch
        {
            "exit" => ParseInt(Single(rest)),
            "sleep" => SimpleModes.Sleep(ParseSeconds(Single(rest))),
            "hang" when rest.IsEmpty => SimpleModes.Hang(),
            "ignore-sigterm" when rest.IsEmpty => SimpleModes.IgnoreSigterm(),
            "print" => PrintArgs(rest),
            "print-both" => PrintModes.PrintBoth(ParseCount(Single(rest))),
            "spawn-grandchild" => SpawnGrandchild.Run(rest.Length switch
            {
                0 => 1,
                1 => ParseCount(rest[0]),
                _ => throw new UsageException(),
            }),
            "spawn-from-thread" => rest switch
            {
                [] => SpawnFromThread.Run(setsid: false),
                ["--setsid"] => SpawnFromThread.Run(setsid: true),
                _ => throw new UsageException(),
            },
            "heartbeat" => HeartbeatArgs(rest),
            "serve-http" => ServeHttpArgs(rest),
            "record-start" => RecordStart(rest),
            "fence" => rest switch
            {
                [var file] => Fence.Run(file, TimeSpan.FromMilliseconds(50)),
                [var file, var ms] => Fence.Run(file, TimeSpan.FromMilliseconds(ParsePositive(ms))),
                _ => throw new UsageException(),
            },
            "notify-ready" => rest switch
            {
                [] => NotifyReady.Run(null),
                ["--when-file", var file] => NotifyReady.Run(file),
                _ => throw new UsageException(),
            },
            _ => throw new UsageException(),
        };
    }

    /// <summary>heartbeat FILE [INTERVAL-MS] [--stop-after MS]</summary>
    private static int HeartbeatArgs(ReadOnlySpan<string> rest)
    {
        TimeSpan? stopAfter = null;
        if (rest.Length >= 3 && rest[^2] == "--stop-after")
        {
            stopAfter = TimeSpan.FromMilliseconds(ParseCount(rest[^1]));
            rest = rest[..^2];
        }
        return rest.Length switch
        {
            1 => Heartbeat.Run(rest[0], TimeSpan.FromMilliseconds(200), stopAfter),
            2 => Heartbeat.Run(rest[0], TimeSpan.FromMilliseconds(ParsePositive(rest[1])), stopAfter),
            _ => throw new UsageException(),
        };
    }

    /// <summary>serve-http PORT [--ready-file FILE | --ready-after MS]</summary>
    private static int ServeHttpArgs(ReadOnlySpan<string> rest) => rest switch
    {
        [var port] => ServeHttp.Run(ParsePort(port), () => true),
        [var port, "--ready-file", var file] => ServeHttp.Run(ParsePort(port), ServeHttp.WhileFileExists(file)),
        [var port, "--ready-after", var ms] => ServeHttp.Run(ParsePort(port), ServeHttp.After(TimeSpan.FromMilliseconds(ParseCount(ms)))),
        _ => throw new UsageException(),
    };

    private static int PrintArgs(ReadOnlySpan<string> rest)
    {
        if (rest.Length == 1)
            return PrintModes.Print(ParseCount(rest[0]), thenExit: 0);
        if (rest.Length == 3 && rest[1] == "--then-exit")
            return PrintModes.Print(ParseCount(rest[0]), ParseInt(rest[2]));
        throw new UsageException();
    }

    /// <summary>Appends the start instant (unix epoch microseconds) so benchmarks can measure restart latency.</summary>
    private static int RecordStart(ReadOnlySpan<string> rest)
    {
        if (rest.Length < 2)
            throw new UsageException();
        var micros = (DateTimeOffset.UtcNow.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        // One append per start: O_APPEND keeps lines whole even if several instances record at once.
        File.AppendAllText(rest[0], micros.ToString(CultureInfo.InvariantCulture) + "\n");
        return Run(rest[1..]);
    }

    private static string Single(ReadOnlySpan<string> rest) =>
        rest.Length == 1 ? rest[0] : throw new UsageException();

    private static int ParseInt(string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException();

    private static int ParseCount(string text) => ParseInt(text) is var n and >= 0 ? n : throw new UsageException();

    private static int ParsePositive(string text) => ParseInt(text) is var n and > 0 ? n : throw new UsageException();

    /// <summary>0 lets the system pick a free port.</summary>
    private static int ParsePort(string text) => ParseInt(text) is var n and >= 0 and <= 65535 ? n : throw new UsageException();

    private static TimeSpan ParseSeconds(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
        && seconds >= 0 && double.IsFinite(seconds)
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException();
}

/// <summary>Thrown on bad arguments; <see cref="Program"/> turns it into the usage line and exit code 64.</summary>
internal sealed class UsageException : Exception;
