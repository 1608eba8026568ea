namespace Actors.Node;

/// <summary>The exit codes of the <c>actors</c> command (documented in README.md).</summary>
public static class ExitCodes
{
    /// <summary>Success; for <c>run</c>, an orderly stop after SIGTERM/SIGINT.</summary>
    public const int Ok = 0;
    /// <summary>The node could not run: an unusable log or state folder, or an unexpected error.</summary>
    public const int Failure = 1;
    /// <summary>The configuration is invalid; nothing was started (<c>run</c>) or changed (<c>reload</c>).</summary>
    public const int InvalidConfig = 2;
    /// <summary>A client verb found no node listening on the control socket (or may not use it).</summary>
    public const int NoNode = 3;
    /// <summary>A client verb named a process the node does not declare; the message lists the known ones.</summary>
    public const int UnknownProcess = 4;
    /// <summary><c>run</c>: another node holds the state-dir's lock (the message names it), or took it over.</summary>
    public const int LockHeld = 5;
    /// <summary><c>wait</c>: the timeout passed before every named process got to the awaited state (as timeout(1)).</summary>
    public const int TimedOut = 124;
    /// <summary>Wrong command-line usage.</summary>
    public const int Usage = 64;
}
