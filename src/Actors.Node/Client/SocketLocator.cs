using Actors.Configuration;

namespace Actors.Node.Client;

/// <summary>
/// Finds the control socket of the node a client verb talks to, first match wins:
/// <c>--socket PATH</c>; <c>--config FILE</c> (its actors.node.control-socket); <c>$ACTORS_SOCKET</c>;
/// <c>./actors.conf</c> if present (what <c>actors run</c> without CONFIG runs); else
/// <c>./.actors/control.sock</c>, where a node started here with the built-in demo listens.
/// </summary>
internal static class SocketLocator
{
    public const string EnvironmentVariable = "ACTORS_SOCKET";
    public const string DefaultConfig = "actors.conf";

    public static string Locate(CommandLine line)
    {
        if (line.Value("--socket") is { } socket) return Path.GetFullPath(socket);
        if (line.Value("--config") is { } config) return FromConfig(config, "--config");
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnv) return Path.GetFullPath(fromEnv);
        if (File.Exists(DefaultConfig)) return FromConfig(DefaultConfig, $"./{DefaultConfig}");
        return Path.GetFullPath(Path.Combine(".actors", "control.sock"));
    }

    private static string FromConfig(string file, string source)
    {
        var result = ConfigLoader.LoadNodeFile(Path.GetFullPath(file));
        if (result.Node is { } node) return node.ControlSocket;
        var first = result.Errors.FirstOrDefault()?.ToString() ?? "unknown problem";
        throw new UsageException($"cannot read the control socket from {source} {file}: {first}" +
                                 (result.Errors.Count > 1 ? $" (and {result.Errors.Count - 1} more; see 'actors check-config {file}')" : ""));
    }
}
