namespace Actors.Node.Commands;

/// <summary>The command line of <c>actors run</c>: <c>[--replace] [--until-done | --exit-code-from NAME] [CONFIG]</c>.</summary>
internal sealed record RunOptions(bool Replace, bool UntilDone, string? ExitCodeFrom, string? Config)
{
    /// <summary>False with one line saying what is wrong (the caller prints it with the usage and exits 64).</summary>
    public static bool TryParse(IReadOnlyList<string> args, out RunOptions options, out string problem)
    {
        options = new RunOptions(false, false, null, null);
        problem = "";
        bool replace = false, untilDone = false;
        string? exitCodeFrom = null, config = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--replace":
                    replace = true;
                    break;
                case "--until-done":
                    untilDone = true;
                    break;
                case "--exit-code-from":
                    if (i + 1 >= args.Count || args[i + 1].StartsWith('-') || args[i + 1].Length == 0)
                    {
                        problem = "--exit-code-from needs the name of a declared process, e.g. --exit-code-from tests";
                        return false;
                    }
                    exitCodeFrom = args[++i];
                    break;
                case var _ when arg.StartsWith("--exit-code-from=", StringComparison.Ordinal):
                    exitCodeFrom = arg["--exit-code-from=".Length..];
                    if (exitCodeFrom.Length == 0)
                    {
                        problem = "--exit-code-from needs the name of a declared process, e.g. --exit-code-from tests";
                        return false;
                    }
                    break;
                case var _ when arg.StartsWith('-'):
                    problem = $"unknown option '{arg}'";
                    return false;
                default:
                    if (config is not null)
                    {
                        problem = $"one configuration file only (got '{config}' and '{arg}')";
                        return false;
                    }
                    config = arg;
                    break;
            }
        }
        if (untilDone && exitCodeFrom is not null)
        {
            problem = "--until-done and --exit-code-from exclude each other: --exit-code-from ends the run when that one process ends, --until-done when every process is done; use one";
            return false;
        }
        options = new RunOptions(replace, untilDone, exitCodeFrom, config);
        return true;
    }
}
