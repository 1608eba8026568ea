using Actors.Processes;

namespace Actors.Node.Commands;

/// <summary>
/// <c>actors __watchdog NODE-PID</c>: hidden, started by <c>run</c> with a pipe from the node as stdin; kills the
/// node's children when the node dies without stopping them (see <see cref="Watchdog"/>).
/// </summary>
internal static class WatchdogCommand
{
    public const string Verb = "__watchdog";

    public static int Execute(string[] args, TextWriter stderr)
    {
        int nodePid = args.Length == 1 && int.TryParse(args[0], out var pid) ? pid : 0;
        Watchdog.Run(Console.OpenStandardInput(), stderr, nodePid);
        return ExitCodes.Ok;
    }
}
