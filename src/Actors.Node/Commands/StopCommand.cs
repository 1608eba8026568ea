namespace Actors.Node.Commands;

/// <summary><c>actors stop NAME... | --all</c>: stop the named processes and keep them stopped, across node restarts too, until 'actors start'.</summary>
public static class StopCommand
{
    public static Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        ProcessVerb.ExecuteAsync("stop", args, stdout, stderr);
}
