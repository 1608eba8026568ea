namespace Actors.Node.Control;

/// <summary>What the control API says about the node itself (the <c>node</c> object of <c>status</c>).</summary>
internal sealed record NodeInfo(int Pid, DateTimeOffset StartedAt, string? ConfigPath, string Version, string Socket, string StateDir)
{
    /// <summary>The node's single-instance lock, whose heartbeat age status shows.</summary>
    public Leases.NodeLock? Lock { get; init; }

    /// <summary>The HTTP listener's base address as bound (http://127.0.0.1:9180), null when it is off.</summary>
    public string? Http { get; init; }
}
