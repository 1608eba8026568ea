using System.Globalization;
using Akka.Configuration.Hocon;

namespace Actors.Configuration;

/// <summary>
/// Reads <c>actors.cluster</c> and rejects the settings under which two sides of a partition could both keep running
/// (no split brain resolver, a decision taken before the failure detector can have spoken, no removal margin).
/// </summary>
internal static class ClusterReader
{
    private const string SeedHint = "\"10.0.0.5:4053\"";

    /// <summary>The settings when enabled and valid enough to use; null when off.</summary>
    public static ClusterSettings? Read(HoconObject? user, HoconObject reference, PathResolver paths, Diagnostics d)
    {
        var r = new LayeredReader(d, [new(user, "actors.cluster", true), new(reference, "actors.cluster", false)]);
        var enabled = r.Bool("enabled");
        var hostname = r.String("hostname");
        var port = r.Int("port");
        var seeds = r.List<ClusterSeed>("seed-nodes", TryParseSeed, "host:port", SeedHint);
        var roles = r.List<string>("roles", (string t, out string v) => { v = t; return true; }, "a role name", "\"db\", \"web\"");
        var minMembers = r.Int("min-nr-of-members");
        var heartbeat = r.Duration("failure-detection.heartbeat-interval");
        var pause = r.Duration("failure-detection.acceptable-pause");
        var stableAfter = r.Duration("stable-after");
        var margin = r.Duration("down-removal-margin");
        var sbr = r.String("split-brain-resolver");
        if (!enabled.Value)
            return null;
        var lease = ClusterLeaseReader.Read(r, paths, d);
        var bootstrap = ClusterBootstrapReader.Read(r, hostname.Value, port, seeds, d);

        if (hostname.Value.Length == 0)
            d.Error(hostname.Path, "is empty; set the address the other nodes reach this node at, e.g. \"10.0.0.5\" (\"127.0.0.1\" for nodes on one machine)");
        else if (!ConfigNames.IsHostName(hostname.Value))
            d.Error(hostname.Path, $"\"{hostname.Value}\" is not a host name or IPv4 address; write e.g. \"10.0.0.5\" or \"node1.example\"");
        if (port.Value is < 0 or > 65535)
            d.Error(port.Path, $"{port.Value} is not a TCP port; use 1..65535 (0 picks a free port: for a node no one lists as a seed node)");
        foreach (var role in roles.Value.Where(role => !ConfigNames.IsName(role)))
            d.Error(roles.Path, $"\"{role}\" is not a valid role name; use letters, digits, '.', '_' and '-'");
        if (roles.Value.Distinct(StringComparer.Ordinal).Count() != roles.Value.Count)
            d.Error(roles.Path, "names a role twice; list each role once");
        if (minMembers.Value < 1)
            d.Error(minMembers.Path, $"{minMembers.Value} is out of range; use 1 or more (the number of nodes that must be up before the cluster counts as formed)");
        if (seeds.Value.Count == 0 && bootstrap is null)
            d.Warn(seeds.Path, "is empty: this node forms a cluster of its own and other nodes join it; list the seed nodes (the same list on every node) so that a restarted node rejoins the others");

        CheckTiming(heartbeat, pause, stableAfter, margin, d);
        var strategy = ReadStrategy(sbr, lease is not null, d);
        if (strategy == SplitBrainStrategy.LeaseMajority && lease is null)
            d.Error(sbr.Path, "lease-majority needs a lease that every node reaches: set actors.cluster.lease.folder to a folder every node shares, " +
                              "or actors.cluster.lease.class to another Akka.Coordination lease (or use keep-majority)");
        if (strategy != SplitBrainStrategy.LeaseMajority && lease is not null)
            d.Warn(r.TopPath("lease"), $"is configured, but split-brain-resolver = {sbr.Value} does not use it; set split-brain-resolver = lease-majority (the default when a lease is configured) or remove the lease");
        if (strategy == SplitBrainStrategy.LeaseMajority && lease is not null)
            ClusterLeaseReader.CheckAgainst(lease, stableAfter, r, d);
        return new ClusterSettings(hostname.Value, port.Value, seeds.Value, roles.Value, minMembers.Value,
            heartbeat.Value, pause.Value, stableAfter.Value, margin.Value, strategy)
        {
            Lease = strategy == SplitBrainStrategy.LeaseMajority ? lease : null,
            Bootstrap = bootstrap,
        };
    }

    /// <summary>
    /// A side decides on a partition stable-after once its view stopped changing. Both sides must have seen the
    /// other as unreachable before either decides (the failure detector needs acceptable-pause plus a heartbeat or two),
    /// and the side that stays must wait the removal margin, so the side that downs itself has stopped its processes.
    /// </summary>
    private static void CheckTiming(Read<TimeSpan> heartbeat, Read<TimeSpan> pause, Read<TimeSpan> stableAfter, Read<TimeSpan> margin, Diagnostics d)
    {
        if (!d.Positive(heartbeat, "1s")) return;
        if (pause.Value < 2 * heartbeat.Value)
        {
            d.Error(pause.Path, $"{HoconScalars.Format(pause.Value)} is shorter than two heartbeats ({HoconScalars.Format(2 * heartbeat.Value)}): " +
                                "one late heartbeat would mark a healthy node unreachable; use e.g. 3 × failure-detection.heartbeat-interval");
            return;
        }
        var detection = pause.Value + 2 * heartbeat.Value;
        if (stableAfter.Value < detection)
            d.Error(stableAfter.Path, $"{HoconScalars.Format(stableAfter.Value)} is shorter than the failure detection allows " +
                                      $"(acceptable-pause + 2 × heartbeat-interval = {HoconScalars.Format(detection)}): one side of a partition could decide before " +
                                      $"the other has even seen it, and both could keep running; use {HoconScalars.Format(detection)} or more (the default is 7s)");
        if (margin.Value < pause.Value)
            d.Error(margin.Path, $"{HoconScalars.Format(margin.Value)} is shorter than failure-detection.acceptable-pause ({HoconScalars.Format(pause.Value)}): " +
                                 "the surviving side could take over before the downed side has noticed and stopped its processes; " +
                                 $"use {HoconScalars.Format(pause.Value)} or more");
    }

    /// <summary>Unless the file names one: keep-majority, or lease-majority when actors.cluster.lease is configured.</summary>
    private static SplitBrainStrategy ReadStrategy(Read<string> sbr, bool leaseConfigured, Diagnostics d)
    {
        if (!sbr.IsUser && leaseConfigured) return SplitBrainStrategy.LeaseMajority;
        switch (sbr.Value)
        {
            case "keep-majority":
                return SplitBrainStrategy.KeepMajority;
            case "keep-oldest":
                return SplitBrainStrategy.KeepOldest;
            case "off" or "auto-down" or "none" or "":
                d.Error(sbr.Path, $"\"{sbr.Value}\" would let both sides of a network partition down each other and run on as two clusters (a split brain); " +
                                  "use keep-majority (the default), keep-oldest or lease-majority");
                break;
            case "lease-majority":
                return SplitBrainStrategy.LeaseMajority;
            case "static-quorum" or "down-all":
                d.Error(sbr.Path, $"\"{sbr.Value}\" is not offered here; use keep-majority (the default), keep-oldest or lease-majority");
                break;
            default:
                var near = KeyChecker.Suggest(sbr.Value, ["keep-majority", "keep-oldest", "lease-majority"]);
                d.Error(sbr.Path, $"\"{sbr.Value}\" is not a split brain resolver strategy; " + (near is null ? "use keep-majority (the default), keep-oldest or lease-majority" : $"did you mean {near}?"));
                break;
        }
        return SplitBrainStrategy.KeepMajority;
    }

    /// <summary>"host:port" with a port 1..65535.</summary>
    public static bool TryParseSeed(string text, out ClusterSeed seed)
    {
        seed = null!;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) return false;
        var host = text[..colon];
        if (!ConfigNames.IsHostName(host)) return false;
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535) return false;
        seed = new ClusterSeed(host, port);
        return true;
    }
}
