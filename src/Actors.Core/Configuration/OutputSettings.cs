using System.Text.RegularExpressions;

namespace Actors.Configuration;

/// <summary>
/// <c>ready-log-line</c>: the process is ready once a line of its output matches <see cref="Pattern"/>. Compiled once,
/// when the configuration is read, with <see cref="RegexOptions.NonBacktracking"/>: matching takes time linear in
/// the line whatever the pattern, so no pattern can stall the output pump that matches it (as RE2 does for
/// process-compose's <c>ready_log_line</c>). Equal when the pattern text is: a reload compares declarations.
/// </summary>
public sealed class ReadyLogLine : IEquatable<ReadyLogLine>
{
    /// <summary>Case-sensitive by default (write <c>(?i)</c> for otherwise), culture-invariant, linear time.</summary>
    public const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    /// <exception cref="ArgumentException">Not a regular expression (the message says where).</exception>
    /// <exception cref="NotSupportedException">A construct linear-time matching cannot do (backreferences, lookarounds, atomic groups).</exception>
    public ReadyLogLine(string pattern)
    {
        Pattern = pattern;
        Regex = new Regex(pattern, Options);
    }

    /// <summary>The pattern as written.</summary>
    public string Pattern { get; }

    public Regex Regex { get; }

    public bool Equals(ReadyLogLine? other) => other is not null && other.Pattern == Pattern;

    public override bool Equals(object? obj) => obj is ReadyLogLine other && Equals(other);

    public override int GetHashCode() => Pattern.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Pattern;
}

/// <summary>One hook (<c>hooks.pre-start</c>, <c>hooks.post-stop</c>): a command with its arguments (no shell), bounded by <see cref="Timeout"/>.</summary>
public sealed record HookSettings(string Name, string Command, IReadOnlyList<string> Args, TimeSpan Timeout)
{
    public bool Equals(HookSettings? other) =>
        other is not null && Name == other.Name && Command == other.Command && Args.SequenceEqual(other.Args) && Timeout == other.Timeout;

    public override int GetHashCode() => HashCode.Combine(Name, Command, Args.Count, Timeout);
}

/// <summary>
/// <c>hooks { }</c> (systemd's ExecStartPre and ExecStopPost, s6's finish): <see cref="PreStart"/> runs before each
/// start of the main process, and its failure is a failed start; <see cref="PostStop"/> runs after each run's group is
/// gone. Null when not declared.
/// </summary>
public sealed record HooksSettings(HookSettings? PreStart, HookSettings? PostStop)
{
    public static readonly HooksSettings None = new(null, null);
}
