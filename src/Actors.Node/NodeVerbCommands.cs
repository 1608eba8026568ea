using Actors.Node.Commands;

namespace Actors.Node;

/// <summary>
/// The node verbs (<see cref="Cli.NodeVerbs"/>) in the .NET program: the node, and what reads a configuration as the
/// node does. (The ahead-of-time client has a class of this name of its own that refuses them: src/Actors.Client.)
/// </summary>
internal static class NodeVerbCommands
{
    public static async Task<int> RunAsync(string verb, string[] rest, TextWriter stdout, TextWriter stderr) => verb switch
    {
        "run" => await RunCommand.ExecuteAsync(rest, stdout, stderr),
        "exec" => await ExecCommand.ExecuteAsync(rest, stdout, stderr),
        "check-config" => CheckConfigCommand.Execute(rest, stdout, stderr),
        "simulate" => SimulateCommand.Execute(rest, stdout, stderr),
        "unit" => UnitCommand.Execute(rest, stdout, stderr),
        _ => throw new ArgumentOutOfRangeException(nameof(verb), verb, "not one of Cli.NodeVerbs"),
    };
}
