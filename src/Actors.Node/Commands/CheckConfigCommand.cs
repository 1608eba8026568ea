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
        stdout.WriteLine($"{args[0]}: valid, {names.Count} process(es)" + (names.Count > 0 ? $": {string.Join(", ", names)}" : ""));
        return ExitCodes.Ok;
    }
}
