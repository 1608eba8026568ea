namespace Actors.Hosting;

/// <summary>
/// The supervision's configuration (HOCON, typed options, or both) is invalid; nothing was started. The message
/// lists every problem, one <c>key.path: what is wrong</c> line each, as <c>actors check-config</c> does.
/// </summary>
public sealed class ProcessSupervisionConfigException : Exception
{
    public ProcessSupervisionConfigException(IReadOnlyList<string> problems)
        : base(Describe(problems)) => Problems = problems;

    /// <summary>Each problem on its own: <c>FILE:LINE: key.path: what is wrong</c>.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Describe(IReadOnlyList<string> problems) =>
        $"the process supervision configuration has {problems.Count} problem(s); nothing started:"
        + string.Concat(problems.Select(p => "\n  " + p));
}
