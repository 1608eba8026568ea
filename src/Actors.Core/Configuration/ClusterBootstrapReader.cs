using System.Globalization;

namespace Actors.Configuration;

/// <summary>
/// Reads <c>actors.cluster.bootstrap</c>: joining without fixed seed nodes, through Akka.Management's Cluster Bootstrap
/// with config discovery. Rejects what would leave a node unable to join or form a cluster: seed nodes as well,
/// no contact points, a management port that clashes with the cluster's, more required contact points than listed.
/// </summary>
internal static class ClusterBootstrapReader
{
    private const string ContactHint = "\"10.0.0.5:8558\", \"10.0.0.6:8558\"";

    /// <summary>Null when bootstrap is off; the keys are read (and their types checked) either way.</summary>
    public static ClusterBootstrapSettings? Read(LayeredReader r, string hostname, Read<int> clusterPort, Read<IReadOnlyList<ClusterSeed>> seeds, Diagnostics d)
    {
        var enabled = r.Bool("bootstrap.enabled");
        var contacts = r.List<(string Host, int? Port)>("bootstrap.contact-points", TryParseContactPoint, "host:port or host", ContactHint);
        var managementPort = r.Int("bootstrap.management-port");
        var required = r.Scalar<int>("bootstrap.required-contact-points", TryParseRequired, "all or a whole number", "use all (the default) or e.g. 2");
        var stableMargin = r.Duration("bootstrap.stable-margin");
        if (!enabled.Value)
            return null;

        if (seeds.Value.Count > 0)
            d.Error(seeds.Path, "is set while actors.cluster.bootstrap.enabled = on: a node joins either through fixed seed nodes or through bootstrap's " +
                                "contact points, not both; remove seed-nodes, or set bootstrap.enabled = off");
        var portOk = managementPort.Value is >= 1 and <= 65535;
        if (!portOk)
            d.Error(managementPort.Path, $"{managementPort.Value} is not a TCP port; use 1..65535 (the other nodes reach this node's contact point at it, so it cannot be 0)");
        else if (managementPort.Value == clusterPort.Value)
            d.Error(managementPort.Path, $"{managementPort.Value} is also actors.cluster.port: the management HTTP endpoint and the cluster need a port each; " +
                                         "use another port, e.g. 8558");
        var points = contacts.Value.Select(c => new ClusterSeed(c.Host, c.Port ?? managementPort.Value)).ToList();
        if (points.Count == 0)
            d.Error(contacts.Path, $"is empty; bootstrap finds the other nodes through it: list the management endpoint (host:management-port) of every node " +
                                   $"that may start the cluster, the same list on every node, e.g. [{ContactHint}]");
        if (points.Distinct().Count() != points.Count)
            d.Error(contacts.Path, "names a contact point twice; list each node once");
        foreach (var point in points.Where(p => clusterPort.Value != 0 && p.Port == clusterPort.Value && p.Host == hostname))
            d.Error(contacts.Path, $"\"{point}\" is this node's cluster port (actors.cluster.port); contact points are the nodes' management endpoints: " +
                                   $"use {hostname}:{(portOk ? managementPort.Value : 8558)}");
        var all = required.Value == RequiredAll;
        if (!all && required.Value < 1)
            d.Error(required.Path, $"{required.Value} is out of range; use all (the default) or 1..{Math.Max(points.Count, 1)}");
        else if (!all && points.Count > 0 && required.Value > points.Count)
            d.Error(required.Path, $"{required.Value} is more than the {points.Count} contact point(s) listed: a new cluster could never form; " +
                                   $"use all or 1..{points.Count}");
        d.Positive(stableMargin, "5s");
        if (portOk && points.Count > 0 && !points.Contains(new ClusterSeed(hostname, managementPort.Value)))
            d.Warn(contacts.Path, $"does not list this node ({hostname}:{managementPort.Value}): it only joins a cluster that one of the listed nodes formed, " +
                                  "and never forms one itself; list it too if it may be the first up");
        return new ClusterBootstrapSettings(points, managementPort.Value, all ? points.Count : required.Value, all, stableMargin.Value);
    }

    /// <summary>required-contact-points = all.</summary>
    private const int RequiredAll = int.MinValue;

    private static bool TryParseRequired(string text, out int value)
    {
        if (text == "all")
        {
            value = RequiredAll;
            return true;
        }
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>"host:port", or "host" alone (then this node's management-port).</summary>
    private static bool TryParseContactPoint(string text, out (string Host, int? Port) point)
    {
        point = default;
        if (!text.Contains(':'))
        {
            if (!ClusterReader.TryParseSeed(text + ":1", out var hostOnly)) return false;
            point = (hostOnly.Host, null);
            return true;
        }
        if (!ClusterReader.TryParseSeed(text, out var seed)) return false;
        point = (seed.Host, seed.Port);
        return true;
    }
}
