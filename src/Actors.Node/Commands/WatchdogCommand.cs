using Actors.Processes;

namespace Actors.Node.Commands;

/// <summary>
/// <c>actors __watchdog NODE-PID NODE-STARTTIME</c>: hidden, started by <c>run</c> with a pipe from the node as stdin; kills the
/// node's children when the node dies without stopping them (see <see cref="Watchdog"/>).
/// </summary>
internal static class WatchdogCommand
{
    public const string Verb = "__watchdog";

    public static int Execute(string[] args, TextWriter stderr)
    {
        int nodePid = args.Length >= 1 && int.TryParse(args[0], out var pid) ? pid : 0;
        // The node's start time, from the node itself: the watchdog acts on that process only.
        long? nodeStart = args.Length == 2 && long.TryParse(args[1], out var start) ? start : ProcStat.ReadStartTime(nodePid);
        Watchdog.Run(Console.OpenStandardInput(), stderr, nodePid, nodeStart);
        return ExitCodes.Ok;
    }
}
