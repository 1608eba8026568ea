using Actors.Configuration;
using Xunit;

namespace Actors.Core.Tests.Configuration;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ClusterConfigSpec : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Enabled = "enabled = on, hostname = \"127.0.0.1\", seed-nodes = [\"127.0.0.1:4053\"]";

    private ConfigLoadResult Load(string cluster, string processes = "web { command = sh }", string defaults = "") =>
        ConfigLoader.LoadText($"actors {{\n  cluster {{ {cluster} }}\n  defaults {{ {defaults} }}\n  processes {{\n{processes}\n  }}\n}}\n", "f.conf", _temp.Dir);

    private static string Errors(ConfigLoadResult result) => string.Join("\n", result.Errors);

    [Fact]
    public void The_cluster_is_off_by_default_and_every_process_is_local()
    {
        var result = ConfigLoader.LoadText("actors.processes.web { command = sh }", "f.conf", _temp.Dir);
        Assert.True(result.IsValid, Errors(result));
        Assert.Null(result.Settings!.Cluster);
        Assert.Equal(Placement.Local, Assert.Single(result.Settings.Processes).Placement);
        Assert.Empty(result.Settings.PlacedElsewhere);
    }

    [Fact]
    public void An_enabled_cluster_reads_address_seeds_roles_and_timing()
    {
        var result = Load($"{Enabled}, port = 4054, roles = [\"db\", \"web\"], min-nr-of-members = 3, " +
                          "failure-detection { heartbeat-interval = 500ms, acceptable-pause = 2s }, stable-after = 4s, down-removal-margin = 2s, split-brain-resolver = keep-oldest");
        Assert.True(result.IsValid, Errors(result));
        var c = result.Settings!.Cluster!;
        Assert.Equal(("127.0.0.1", 4054), (c.Hostname, c.Port));
        Assert.Equal([new ClusterSeed("127.0.0.1", 4053)], c.SeedNodes);
        Assert.Equal(["db", "web"], c.Roles);
        Assert.Equal(3, c.MinNrOfMembers);
        Assert.Equal((TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2)),
            (c.HeartbeatInterval, c.AcceptablePause, c.StableAfter, c.DownRemovalMargin));
        Assert.Equal(SplitBrainStrategy.KeepOldest, c.SplitBrainResolver);
    }

    [Fact]
    public void The_defaults_are_keep_majority_and_timing_check_config_accepts()
    {
        var result = Load(Enabled);
        Assert.True(result.IsValid, Errors(result));
        var c = result.Settings!.Cluster!;
        Assert.Equal(SplitBrainStrategy.KeepMajority, c.SplitBrainResolver);
        Assert.Equal(4053, c.Port);
        Assert.Equal(TimeSpan.FromSeconds(7), c.StableAfter);
    }

    [Fact]
    public void An_enabled_cluster_without_hostname_is_an_error_naming_the_key()
    {
        var error = Assert.Single(Load("enabled = on").Errors).ToString();
        Assert.StartsWith("f.conf:2: actors.cluster.hostname:", error);
        Assert.Contains("is empty", error);
    }

    [Theory]
    [InlineData("off")]
    [InlineData("auto-down")]
    public void A_split_brain_resolver_that_lets_both_sides_run_is_refused(string strategy)
    {
        var error = Assert.Single(Load($"{Enabled}, split-brain-resolver = {strategy}").Errors).ToString();
        Assert.Contains("actors.cluster.split-brain-resolver:", error);
        Assert.Contains("split brain", error);
        Assert.Contains("keep-majority", error);
    }

    [Fact]
    public void Stable_after_shorter_than_failure_detection_is_refused_with_the_least_it_may_be()
    {
        var error = Assert.Single(Load($"{Enabled}, failure-detection {{ heartbeat-interval = 1s, acceptable-pause = 3s }}, stable-after = 4s").Errors).ToString();
        Assert.Contains("actors.cluster.stable-after: 4s is shorter than the failure detection allows", error);
        Assert.Contains("use 5s or more", error);
    }

    [Fact]
    public void A_removal_margin_shorter_than_the_pause_is_refused()
    {
        var error = Assert.Single(Load($"{Enabled}, down-removal-margin = 1s").Errors).ToString();
        Assert.Contains("actors.cluster.down-removal-margin: 1s is shorter than failure-detection.acceptable-pause (3s)", error);
    }

    [Fact]
    public void An_acceptable_pause_under_two_heartbeats_is_refused()
    {
        var error = Assert.Single(Load($"{Enabled}, failure-detection {{ heartbeat-interval = 2s, acceptable-pause = 3s }}").Errors).ToString();
        Assert.Contains("actors.cluster.failure-detection.acceptable-pause: 3s is shorter than two heartbeats", error);
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("10.0.0.5:")]
    [InlineData("10.0.0.5:70000")]
    [InlineData("akka.tcp://actors@10.0.0.5:4053")]
    public void A_seed_node_that_is_not_host_and_port_is_an_error(string seed)
    {
        var error = Assert.Single(Load($"enabled = on, hostname = \"127.0.0.1\", seed-nodes = [\"{seed}\"]").Errors).ToString();
        Assert.Contains("actors.cluster.seed-nodes:", error);
        Assert.Contains("host:port", error);
    }

    [Fact]
    public void No_seed_nodes_is_a_warning_that_the_node_forms_a_cluster_of_its_own()
    {
        var result = Load("enabled = on, hostname = \"127.0.0.1\"");
        Assert.True(result.IsValid, Errors(result));
        Assert.Contains(result.Warnings, w => w.ToString().Contains("actors.cluster.seed-nodes") && w.ToString().Contains("forms a cluster of its own"));
    }

    private const string Lease = "lease { name = \"job\", folder = \"/srv/leases\" }";

    [Fact]
    public void Singleton_placement_without_the_cluster_is_a_check_config_error()
    {
        var error = Assert.Single(Load("enabled = off", $"job {{ command = sh, placement = singleton, {Lease} }}").Errors).ToString();
        Assert.StartsWith("f.conf:", error);
        Assert.Contains("actors.processes.job.placement: singleton needs a cluster", error);
        Assert.Contains("actors.cluster.enabled = on", error);
    }

    [Fact]
    public void Singleton_placement_without_a_lease_is_a_check_config_error_that_says_which_block_to_add()
    {
        var error = Assert.Single(Load(Enabled, "job { command = sh, placement = singleton }").Errors).ToString();
        Assert.StartsWith("f.conf:", error);
        Assert.Contains("actors.processes.job.placement: singleton needs a lease", error);
        Assert.Contains("add a lease { name = \"job\", folder = ", error);
    }

    [Fact]
    public void Singleton_placement_without_cluster_and_lease_reports_both()
    {
        var errors = Load("enabled = off", "job { command = sh, placement = singleton }").Errors.Select(e => e.ToString()).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Contains("singleton needs a cluster"));
        Assert.Contains(errors, e => e.Contains("singleton needs a lease"));
    }

    [Fact]
    public void A_singleton_with_replicas_is_refused()
    {
        var error = Assert.Single(Load(Enabled, $"job {{ command = sh, placement = singleton, replicas = 2, {Lease} }}").Errors).ToString();
        Assert.Contains("actors.processes.job.replicas: 2 copies of a singleton", error);
    }

    [Fact]
    public void A_singleton_with_a_lease_in_a_cluster_is_supervised_by_every_node_and_declared_for_the_join_check()
    {
        var result = Load(Enabled, $"web {{ command = sh }}\n job {{ command = sh, placement = singleton, {Lease} }}");
        Assert.True(result.IsValid, Errors(result));
        Assert.Equal(["web", "job"], result.Settings!.Processes.Select(p => p.Name));
        Assert.Equal(Placement.Singleton, result.Settings.Processes[1].Placement);
        Assert.Empty(result.Settings.PlacedElsewhere);
        Assert.Equal(["job"], result.Settings.ClusterDeclarations.Names);
    }

    [Fact]
    public void A_local_process_may_not_depend_on_a_singleton()
    {
        var result = Load(Enabled, $"web {{ command = sh, depends-on {{ job = started }} }}\n job {{ command = sh, placement = singleton, {Lease} }}");
        var error = Assert.Single(result.Errors).ToString();
        Assert.Contains("actors.processes.web.depends-on.job: job runs only where placement singleton puts it", error);
    }

    [Fact]
    public void Role_placement_without_the_cluster_is_an_error()
    {
        var error = Assert.Single(Load("enabled = off", "db { command = sh, placement { role = \"db\" } }").Errors).ToString();
        Assert.Contains("actors.processes.db.placement: { role = \"db\" } needs a cluster", error);
    }

    [Theory]
    [InlineData("placement = everywhere", "\"everywhere\" is not a placement")]
    [InlineData("placement { rol = \"db\" }", "unknown key")]
    [InlineData("placement { }", "role: is missing")]
    [InlineData("placement { role = \"db\", singleton = maybe }", "singleton: \"maybe\" is not on or off")]
    public void A_placement_that_is_not_local_singleton_or_a_role_is_an_error(string placement, string message)
    {
        var result = Load(Enabled, $"db {{ command = sh, {placement} }}");
        Assert.Contains(result.Errors, e => e.ToString().Contains("actors.processes.db.placement") && e.ToString().Contains(message));
    }

    [Fact]
    public void A_node_runs_the_processes_of_its_roles_and_leaves_the_others_to_other_nodes()
    {
        const string processes = "web { command = sh }\n db { command = sh, placement { role = \"db\" } }";
        var withRole = Load($"{Enabled}, roles = [\"db\"]", processes);
        var without = Load(Enabled, processes);
        Assert.True(withRole.IsValid && without.IsValid, Errors(withRole) + Errors(without));
        Assert.Equal(["web", "db"], withRole.Settings!.Processes.Select(p => p.Name));
        Assert.Equal(["web"], without.Settings!.Processes.Select(p => p.Name));
        Assert.Equal(new RolePlacement("db"), Assert.Single(without.Settings.PlacedElsewhere).Placement);
    }

    [Fact]
    public void A_local_process_may_not_depend_on_a_process_placed_by_role()
    {
        var result = Load($"{Enabled}, roles = [\"db\"]", "web { command = sh, depends-on { db = started } }\n db { command = sh, placement { role = \"db\" } }");
        var error = Assert.Single(result.Errors).ToString();
        Assert.Contains("actors.processes.web.depends-on.db: db runs only where placement role db puts it, but web runs on every node", error);
    }

    [Fact]
    public void The_declarations_of_two_nodes_that_differ_only_in_node_settings_and_local_processes_are_alike()
    {
        const string db = "db { command = sh, args = [\"-c\", \"sleep 9\"], placement { role = \"db\" } }";
        var a = Load($"{Enabled}, port = 4054", "web { command = sh }\n" + db);
        var b = ConfigLoader.LoadText($"actors {{\n node.log-dir = \"other-logs\"\n cluster {{ {Enabled}, port = 4055, roles = [\"db\"] }}\n processes {{\n api {{ command = sh }}\n {db}\n }}\n}}\n", "g.conf", _temp.Dir);
        Assert.True(a.IsValid && b.IsValid, Errors(a) + Errors(b));
        Assert.Empty(a.Settings!.ClusterDeclarations.Differences(b.Settings!.ClusterDeclarations, "n2"));
    }

    [Fact]
    public void The_declarations_that_differ_are_listed_key_by_key_with_both_values()
    {
        var a = Load(Enabled, "db { command = sh, args = [\"1\"], placement { role = \"db\" } }", defaults: "stop.timeout = 5s");
        var b = Load(Enabled, "db { command = sh, args = [\"2\"], placement { role = \"db\" } }\n cache { command = sh, placement { role = \"cache\" } }");
        var differences = FromWire(a).Differences(FromWire(b), "10.0.0.6:4053");
        Assert.Equal([
            "actors.processes.cache: placed by the cluster on 10.0.0.6:4053 but not here",
            "actors.processes.db.args: [\"1\"] here, [\"2\"] on 10.0.0.6:4053",
            "actors.processes.db.stop.timeout: \"5s\" here, (not set) on 10.0.0.6:4053",
        ], differences);
    }

    // What a node sends to a seed node: the comparison works on what crossed the wire.
    private static ClusterDeclarations FromWire(ConfigLoadResult result) =>
        ClusterDeclarations.FromJson(result.Settings!.ClusterDeclarations.ToJson());
}

/// <summary>actors.cluster.lease and split-brain-resolver = lease-majority.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ClusterLeaseConfigSpec : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Enabled = "enabled = on, hostname = \"127.0.0.1\", seed-nodes = [\"127.0.0.1:4053\"]";

    private ConfigLoadResult Load(string cluster) =>
        ConfigLoader.LoadText($"actors {{\n  cluster {{ {cluster} }}\n  processes.web {{ command = sh }}\n}}\n", "f.conf", _temp.Dir);

    [Fact]
    public void Lease_majority_without_a_lease_is_an_error_naming_both_ways_to_give_one()
    {
        var error = Assert.Single(Load($"{Enabled}, split-brain-resolver = lease-majority").Errors).ToString();
        Assert.StartsWith("f.conf:2: actors.cluster.split-brain-resolver: lease-majority needs a lease", error);
        Assert.Contains("actors.cluster.lease.folder", error);
        Assert.Contains("actors.cluster.lease.class", error);
    }

    [Fact]
    public void A_cluster_lease_folder_makes_lease_majority_the_default_with_the_file_lease_on_that_folder()
    {
        var result = Load($"{Enabled}, lease {{ folder = \"shared/sbr\", ttl = 6s }}");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var c = result.Settings!.Cluster!;
        Assert.Equal(SplitBrainStrategy.LeaseMajority, c.SplitBrainResolver);
        var lease = c.Lease!;
        Assert.Equal(("actors-sbr", Path.Combine(_temp.Dir, "shared", "sbr"), (string?)null), (lease.Lease.Name, lease.Lease.Folder, lease.Lease.Class));
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(6)), (lease.Lease.HeartbeatInterval, lease.Lease.Ttl));
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(40)), (lease.AcquireDelayForMinority, lease.ReleaseAfter));
    }

    [Fact]
    public void A_lease_next_to_an_explicit_keep_majority_is_warned_about_as_unused()
    {
        var result = Load($"{Enabled}, split-brain-resolver = keep-majority, lease {{ folder = sbr }}");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(SplitBrainStrategy.KeepMajority, result.Settings!.Cluster!.SplitBrainResolver);
        Assert.Null(result.Settings.Cluster.Lease);
        Assert.Contains(result.Warnings, w => w.Path == "actors.cluster.lease" && w.Message.Contains("does not use it"));
    }

    [Fact]
    public void A_release_after_shorter_than_the_minoritys_delay_plus_stable_after_is_refused()
    {
        var error = Assert.Single(Load($"{Enabled}, lease {{ folder = sbr, release-after = 8s }}").Errors).ToString();
        Assert.StartsWith("f.conf:2: actors.cluster.lease.release-after: 8s is shorter than lease.acquire-delay-for-minority + stable-after (9s)", error);
    }

    [Fact]
    public void Members_that_would_decide_a_partition_differently_differ_but_a_lease_folder_mounted_elsewhere_does_not()
    {
        var a = Load($"{Enabled}, lease {{ folder = sbr }}");
        var b = Load($"{Enabled}, port = 4054");
        var c = Load($"{Enabled}, port = 4055, lease {{ folder = \"elsewhere/sbr\" }}");
        static ClusterDeclarations Wire(ConfigLoadResult r) => ClusterDeclarations.FromJson(r.Settings!.ClusterDeclarations.ToJson());

        const string why = " (every member must decide a partition the same way)";
        Assert.Equal([
            "actors.cluster.lease.class: (the file lease) here, (not set) on n2" + why,
            "actors.cluster.lease.name: actors-sbr here, (not set) on n2" + why,
            "actors.cluster.split-brain-resolver: lease-majority here, keep-majority on n2" + why,
        ], Wire(a).Differences(Wire(b), "n2"));
        Assert.Empty(Wire(a).Differences(Wire(c), "n3"));
    }

    [Fact]
    public void A_cluster_lease_class_is_checked_like_a_process_lease_class()
    {
        var error = Assert.Single(Load($"{Enabled}, lease {{ class = \"Actors.TestLeases.NotALease, Actors.TestLeases\" }}").Errors).ToString();
        Assert.StartsWith("f.conf:2: actors.cluster.lease.class: \"Actors.TestLeases.NotALease, Actors.TestLeases\": Actors.TestLeases.NotALease is not an Akka.Coordination.Lease", error);
    }
}
