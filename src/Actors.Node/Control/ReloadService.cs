using Akka.Actor;
using Actors.Configuration;
using Actors.Node.Commands;
using Actors.Node.Systemd;
using Actors.Supervision;
using Microsoft.Extensions.Logging;

namespace Actors.Node.Control;

/// <summary>What a reload did, or every reason it did nothing.</summary>
internal sealed record ReloadOutcome(
    NodeSupervisor.Reloaded? Applied,
    IReadOnlyList<string> Errors,
    IReadOnlyList<string> Warnings)
{
    /// <summary>The configuration applied (null when rejected).</summary>
    public ActorsSettings? Settings { get; init; }
}

/// <summary>
/// Re-reads the node's configuration file and hands a valid result to the root supervisor, which applies the
/// difference. An invalid file changes nothing. Used by <c>POST /v1/reload</c> and by SIGHUP.
/// </summary>
internal sealed class ReloadService(ActorsSettings initial, Func<IActorRef> root, SystemdLink systemd, ILogger<ReloadService> log,
    Cluster.ClusterAccess? cluster = null)
{
    // The cluster-placed declarations the last applied reload gave (null: the file the node started with).
    private ClusterDeclarations? _declared;

    public TimeSpan ShutdownTimeout => initial.Node.ShutdownTimeout;

    public async Task<ReloadOutcome> ReloadAsync(string trigger)
    {
        var source = initial.SourceFile ?? "the built-in demo configuration";
        // systemd shows the unit "reloading" until READY=1 follows (sent by the reporter, whatever the outcome).
        systemd.Notifier.Reloading($"reloading {source} ({trigger})");
        var finished = new SystemdReporter.ReloadFinished(null, $"reload of {source} failed; running on the previous configuration");
        try
        {
            var outcome = await Reload(trigger, source);
            if (outcome.Applied is { } applied)
                finished = new SystemdReporter.ReloadFinished(outcome.Settings, $"reloaded: {applied.Added.Count} added, {applied.Removed.Count} removed, {applied.Changed.Count} changed");
            else
                finished = finished with { Summary = $"reload rejected: {outcome.Errors.Count} problem(s) in {source}; running on the previous configuration" };
            return outcome;
        }
        finally
        {
            systemd.Reporter.Tell(finished);
        }
    }

    private async Task<ReloadOutcome> Reload(string trigger, string source)
    {
        log.LogInformation("reload ({Trigger}): reading {Source}", trigger, source);
        var result = ConfigSource.Load(initial.SourceFile);
        var warnings = result.Warnings.Select(w => w.ToString()).ToList();
        if (!result.IsValid)
        {
            var errors = result.Errors.Select(e => e.ToString()).ToList();
            log.LogError("reload rejected: {Count} problem(s) in {Source}; nothing changed:{Problems}",
                errors.Count, source, string.Concat(errors.Select(e => "\n  " + e)));
            return new ReloadOutcome(null, errors, warnings);
        }
        var settings = result.Settings!;
        warnings.AddRange(NodeChanges(initial.Node, settings.Node));
        if (Describe(initial.Cluster) != Describe(settings.Cluster))
            warnings.Add($"actors.cluster changed from {Describe(initial.Cluster)} to {Describe(settings.Cluster)}; cluster settings take effect when the node restarts");
        var declarations = initial.Cluster is { } running ? settings.ClusterDeclarations.WithSplitBrain(running) : null;
        if (declarations is not null && declarations.Differences(_declared ?? initial.ClusterDeclarations.WithSplitBrain(initial.Cluster!), "the running node") is { Count: > 0 } changed)
            warnings.Add("the declarations of cluster-placed processes changed; every node must be reloaded with the same file (a node that " +
                         $"joins is compared with this node's new declarations):{string.Concat(changed.Select(c => "\n  " + c))}");
        foreach (var warning in warnings) log.LogWarning("reload: {Warning}", warning);

        // A reload waits for changed and removed processes to stop; each stop is bounded by its stop timeout.
        var longestStop = initial.Processes.Concat(settings.Processes).Select(p => p.Stop.Timeout).DefaultIfEmpty().Max();
        var applied = await root().Ask<NodeSupervisor.Reloaded>(new NodeSupervisor.Reload(settings), longestStop * 2 + TimeSpan.FromMinutes(1));
        log.LogInformation("reload applied: added [{Added}], removed [{Removed}], changed [{Changed}], {Unchanged} unchanged",
            string.Join(", ", applied.Added), string.Join(", ", applied.Removed), string.Join(", ", applied.Changed), applied.Unchanged.Count);
        if (declarations is not null && cluster?.Node is { } clusterNode)
        {
            // Routing and the join check follow the file as reloaded: a singleton a reload added is routed everywhere.
            _declared = declarations;
            cluster.SetSingletons(settings);
            clusterNode.Tell(new Cluster.ClusterNode.DeclarationsReloaded(declarations));
        }
        return new ReloadOutcome(applied, [], warnings) { Settings = settings };
    }

    /// <summary>Node settings are fixed for the node's life (its socket, its folders): say so instead of ignoring the edit.</summary>
    private static IEnumerable<string> NodeChanges(NodeSettings before, NodeSettings after)
    {
        if (before.StateDir != after.StateDir) yield return Unapplied("state-dir", before.StateDir, after.StateDir);
        if (before.LogDir != after.LogDir) yield return Unapplied("log-dir", before.LogDir, after.LogDir);
        if (before.ControlSocket != after.ControlSocket) yield return Unapplied("control-socket", before.ControlSocket, after.ControlSocket);
        if (before.Http?.ListenText != after.Http?.ListenText || before.Http?.TokenFile != after.Http?.TokenFile)
            yield return Unapplied("http", Describe(before.Http), Describe(after.Http));
        if (before.ShutdownTimeout != after.ShutdownTimeout)
            yield return Unapplied("shutdown-timeout", $"{before.ShutdownTimeout.TotalSeconds:0.###}s", $"{after.ShutdownTimeout.TotalSeconds:0.###}s");
    }

    private static string Describe(ClusterSettings? c) =>
        c is null ? "off" : $"{c.Self} roles [{string.Join(", ", c.Roles)}] seeds [{string.Join(", ", c.SeedNodes)}] min {c.MinNrOfMembers} " +
                            $"{c.HeartbeatInterval}/{c.AcceptablePause}/{c.StableAfter}/{c.DownRemovalMargin} {c.SplitBrainResolver}";

    private static string Describe(HttpListenerSettings? http) =>
        http is null ? "off" : $"listen {http.ListenText}, token-file {http.TokenFile ?? "(none)"}";

    private static string Unapplied(string key, string before, string after) =>
        $"actors.node.{key} changed from {before} to {after}; node settings take effect when the node restarts";
}
