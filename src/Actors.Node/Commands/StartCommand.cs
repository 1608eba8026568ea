namespace Actors.Node.Commands;

/// <summary><c>actors start NAME... | --all</c>: start the named processes (a failed one gets a fresh start limit; a stopped one is no longer kept stopped).</summary>
public static class StartCommand
{
    public static Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        ProcessVerb.ExecuteAsync("start", args, stdout, stderr);
}
