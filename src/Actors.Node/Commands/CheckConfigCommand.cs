namespace Actors.Node.Commands;

/// <summary><c>actors check-config CONFIG</c>: every problem at once, exit 0 only when valid.</summary>
public static class CheckConfigCommand
{
    public static int Execute(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length != 1 || args[0].StartsWith('-'))
        {
            stderr.WriteLine("usage: actors check-config CONFIG");
            return ExitCodes.Usage;
        }
        var result = ConfigSource.Load(args[0]);
        ConfigSource.Report(result, stderr);
        if (!result.IsValid)
        {
            stderr.WriteLine($"{args[0]}: {result.Errors.Count} problem(s); nothing would start");
            return ExitCodes.InvalidConfig;
        }
        var names = result.Settings!.Processes.Select(p => p.Name).ToList();
        // In a cluster, what other nodes run (another role) is named too: it is declared here, but not run by this node.
        var elsewhere = result.Settings.PlacedElsewhere.Select(p => $"{p.Name} ({p.Placement.Describe()})").ToList();
        stdout.WriteLine($"{args[0]}: valid, {names.Count} process(es)" + (names.Count > 0 ? $": {string.Join(", ", names)}" : "") +
                         (elsewhere.Count > 0 ? $"; run by other nodes of the cluster: {string.Join(", ", elsewhere)}" : ""));
        return ExitCodes.Ok;
    }
}
