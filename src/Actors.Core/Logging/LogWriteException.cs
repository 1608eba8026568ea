namespace Actors.Logging;

/// <summary>
/// A process's log file could not be opened, written or rotated. The message is one line that names the file
/// and says what to do, so the node can report it as a process failure reason without a stack trace.
/// </summary>
public sealed class LogWriteException : IOException
{
    public LogWriteException(string path, string action, Exception inner)
        : base(Describe(path, action, inner, Advice), inner)
    {
        Path = path;
    }

    /// <param name="advice">What to do, replacing the general advice (make the folder writable).</param>
    public LogWriteException(string path, string action, Exception inner, string advice)
        : base(Describe(path, action, inner, advice), inner)
    {
        Path = path;
    }

    private const string Advice = "Make its folder writable by the node's user, or set the process's log file to a writable path.";

    /// <summary>The log file that could not be written.</summary>
    public string Path { get; }

    private static string Describe(string path, string action, Exception inner, string advice)
    {
        // Inner messages sometimes span lines; the reason must stay a single line.
        var reason = inner.Message.ReplaceLineEndings(" ").TrimEnd('.', ' ');
        return $"cannot {action} log file '{path}': {reason}. {advice}";
    }
}
