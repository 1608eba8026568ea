namespace Actors.Node;

/// <summary>The exit codes of the <c>actors</c> command (documented in README.md).</summary>
public static class ExitCodes
{
    /// <summary>Success; for <c>run</c>, an orderly stop after SIGTERM/SIGINT.</summary>
    public const int Ok = 0;
    /// <summary>The node could not run: an unusable log or state folder, or an unexpected error.</summary>
    public const int Failure = 1;
    /// <summary>The configuration is invalid; nothing was started.</summary>
    public const int InvalidConfig = 2;
    /// <summary>Wrong command-line usage.</summary>
    public const int Usage = 64;
}
