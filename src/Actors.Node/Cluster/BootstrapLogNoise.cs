using Serilog.Events;

namespace Actors.Node.Cluster;

/// <summary>
/// What Akka.Management's bootstrap logs each second while a node waits (actors.cluster.bootstrap): every lookup, every
/// probe and its failure (with the exception's stack trace), every decision to keep probing. The node's log leaves them
/// out; the cluster actor says whom it waits for instead (ClusterNodeActor.Bootstrap.cs, every 30 s). Akka.Hosting logs
/// every Akka source under one category, and Akka's own log filter does not reach the ILoggerFactory logger, so they are
/// told apart by their message templates (those of Akka.Management 1.5.73).
/// </summary>
internal static class BootstrapLogNoise
{
    private static readonly string[] Prefixes =
    [
        "Looking up [",
        "Located service members based on",
        "Discovered [",
        "Contact point [",
        "Probing [",
        "Overdue of probing-failure-timeout",
        "Received signal that probing has failed",
        "Exceeded stable margins",
        "Contact points observations have changed",
    ];

    public static bool IsNoise(LogEvent e) =>
        Prefixes.Any(p => e.MessageTemplate.Text.StartsWith(p, StringComparison.Ordinal));
}
