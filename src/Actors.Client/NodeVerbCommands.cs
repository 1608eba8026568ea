namespace Actors.Node;

/// <summary>
/// The node verbs (<see cref="Cli.NodeVerbs"/>) are the .NET program's (actors-node): `actors` hands them to it and
/// never to this program. Run directly with one, this program says where to go.
/// </summary>
internal static class NodeVerbCommands
{
    public static Task<int> RunAsync(string verb, string[] rest, TextWriter stdout, TextWriter stderr)
    {
        stderr.WriteLine($"actors-client: '{verb}' is run by the node program; use 'actors {verb}' (actors-node, beside this program)");
        return Task.FromResult(ExitCodes.Usage);
    }
}
