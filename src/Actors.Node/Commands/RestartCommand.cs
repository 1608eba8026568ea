namespace Actors.Node.Commands;

/// <summary><c>actors restart NAME... | --all</c>: stop the named processes (stop signal, SIGKILL after stop.timeout) and start them again; never two instances.</summary>
public static class RestartCommand
{
    public static Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        ProcessVerb.ExecuteAsync("restart", args, stdout, stderr);
}
