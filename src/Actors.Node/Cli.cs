using Actors.Node.Commands;

namespace Actors.Node;

/// <summary>Dispatches <c>actors VERB ...</c> to one command class per verb.</summary>
public static class Cli
{
    public const string Usage = """
        usage: actors <command> [arguments]

        commands:
          run [CONFIG]            supervise the processes CONFIG declares, in the foreground
                                  (no CONFIG: the built-in demo configuration)
          check-config CONFIG     report every problem in CONFIG at once; exit 0 when valid
          version                 print the version
          help                    print this text
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        if (args.Length == 0)
        {
            stderr.WriteLine(Usage);
            return ExitCodes.Usage;
        }
        var rest = args[1..];
        switch (args[0])
        {
            case "run":
                return await RunCommand.ExecuteAsync(rest, stdout, stderr);
            case "check-config":
                return CheckConfigCommand.Execute(rest, stdout, stderr);
            case "version" or "--version":
                stdout.WriteLine($"actors {VersionCommand.Version}");
                return ExitCodes.Ok;
            case "help" or "--help" or "-h":
                stdout.WriteLine(Usage);
                return ExitCodes.Ok;
            default:
                stderr.WriteLine($"actors: unknown command '{args[0]}'");
                stderr.WriteLine(Usage);
                return ExitCodes.Usage;
        }
    }
}
