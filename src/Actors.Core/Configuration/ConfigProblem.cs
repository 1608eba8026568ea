namespace Actors.Configuration;

/// <summary>
/// One thing wrong (or worth a warning) in a configuration file, located by file, line and full key path.
/// Prints as <c>FILE:LINE: actors.processes.web.backoff.min: message</c>, the shape compilers use, so
/// editors and terminals can jump to it.
/// </summary>
public sealed record ConfigProblem(string File, int? Line, string Path, string Message)
{
    public override string ToString()
    {
        var location = Line is { } line ? $"{File}:{line}" : File;
        return Path.Length == 0 ? $"{location}: {Message}" : $"{location}: {Path}: {Message}";
    }
}

/// <summary>The outcome of loading a configuration: settings only when there is no error.</summary>
public sealed record ConfigLoadResult(
    ActorsSettings? Settings,
    IReadOnlyList<ConfigProblem> Errors,
    IReadOnlyList<ConfigProblem> Warnings)
{
    public bool IsValid => Errors.Count == 0;

    /// <summary>
    /// The node section alone, when it is valid even if other parts are not: the CLI still finds the control
    /// socket of a file being edited (so <c>reload</c> can show the node's own verdict on it).
    /// </summary>
    public NodeSettings? Node { get; init; }
}
