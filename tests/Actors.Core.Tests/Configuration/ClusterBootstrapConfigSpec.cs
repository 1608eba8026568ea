using Actors.Configuration;
using Xunit;

namespace Actors.Core.Tests.Configuration;

/// <summary>
/// <c>actors.cluster.bootstrap</c> (joining through Akka.Management's Cluster Bootstrap instead of seed nodes) and
/// <c>placement { role, singleton = on }</c> as check-config reads them.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ClusterBootstrapConfigSpec : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Cluster = "enabled = on, hostname = \"10.0.0.5\", port = 4053";

    private const string Points = "contact-points = [\"10.0.0.5:8558\", \"10.0.0.6:8558\", \"10.0.0.7\"]";

    private ConfigLoadResult Load(string cluster, string processes = "web { command = sh }") =>
        ConfigLoader.LoadText($"actors {{\n  cluster {{\n {cluster}\n }}\n  processes {{\n{processes}\n  }}\n}}\n", "f.conf", _temp.Dir);

    private ConfigLoadResult Bootstrap(string bootstrap, string cluster = Cluster) => Load($"{cluster}\n bootstrap {{ {bootstrap} }}");

    private static string Errors(ConfigLoadResult result) => string.Join("\n", result.Errors);

    [Fact]
    public void Bootstrap_is_off_by_default_and_a_cluster_without_it_has_none()
    {
        var result = Load($"{Cluster}, seed-nodes = [\"10.0.0.5:4053\"]");
        Assert.True(result.IsValid, Errors(result));
        Assert.Null(result.Settings!.Cluster!.Bootstrap);
    }

    [Fact]
    public void An_enabled_bootstrap_reads_its_contact_points_with_the_management_port_for_a_host_alone_and_the_defaults()
    {
        var result = Bootstrap($"enabled = on, {Points}");
        Assert.True(result.IsValid, Errors(result));
        var b = result.Settings!.Cluster!.Bootstrap!;
        Assert.Equal([new ClusterSeed("10.0.0.5", 8558), new ClusterSeed("10.0.0.6", 8558), new ClusterSeed("10.0.0.7", 8558)], b.ContactPoints);
        Assert.Equal(8558, b.ManagementPort);
        Assert.True(b.AllRequired);
        Assert.Equal(3, b.RequiredContactPoints);
        Assert.Equal(TimeSpan.FromSeconds(5), b.StableMargin);
        // Bootstrap replaces seed-nodes: their absence is not worth a warning here.
        Assert.DoesNotContain(result.Warnings, w => w.Path.EndsWith("seed-nodes", StringComparison.Ordinal));
    }

    [Fact]
    public void A_number_of_required_contact_points_and_another_management_port_are_read()
    {
        var result = Bootstrap("enabled = on, management-port = 9000, contact-points = [\"10.0.0.5\", \"10.0.0.6:9001\"], required-contact-points = 1, stable-margin = 2s");
        Assert.True(result.IsValid, Errors(result));
        var b = result.Settings!.Cluster!.Bootstrap!;
        Assert.Equal([new ClusterSeed("10.0.0.5", 9000), new ClusterSeed("10.0.0.6", 9001)], b.ContactPoints);
        Assert.Equal((9000, 1, false, TimeSpan.FromSeconds(2)), (b.ManagementPort, b.RequiredContactPoints, b.AllRequired, b.StableMargin));
    }

    [Fact]
    public void Bootstrap_and_seed_nodes_together_is_an_error_naming_both_ways_out()
    {
        var error = Assert.Single(Bootstrap($"enabled = on, {Points}", $"{Cluster}, seed-nodes = [\"10.0.0.5:4053\"]").Errors).ToString();
        Assert.StartsWith("f.conf:3: actors.cluster.seed-nodes: is set while actors.cluster.bootstrap.enabled = on", error);
        Assert.Contains("remove seed-nodes, or set bootstrap.enabled = off", error);
    }

    [Fact]
    public void Bootstrap_without_contact_points_is_an_error_with_an_example()
    {
        var error = Assert.Single(Bootstrap("enabled = on").Errors).ToString();
        Assert.StartsWith("f.conf:", error);
        Assert.Contains("actors.cluster.bootstrap.contact-points: is empty", error);
        Assert.Contains("[\"10.0.0.5:8558\", \"10.0.0.6:8558\"]", error);
    }

    [Fact]
    public void A_management_port_equal_to_the_cluster_port_is_an_error()
    {
        var error = Assert.Single(Bootstrap("enabled = on, management-port = 4053, contact-points = [\"10.0.0.6\", \"10.0.0.7\"]").Errors).ToString();
        Assert.StartsWith("f.conf:4: actors.cluster.bootstrap.management-port: 4053 is also actors.cluster.port", error);
        Assert.Contains("use another port, e.g. 8558", error);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("70000")]
    public void A_management_port_that_is_not_a_listening_port_is_an_error(string port)
    {
        var error = Assert.Single(Bootstrap($"enabled = on, management-port = {port}, {Points}").Errors).ToString();
        Assert.Contains($"actors.cluster.bootstrap.management-port: {port} is not a TCP port; use 1..65535", error);
    }

    [Fact]
    public void A_contact_point_on_this_nodes_cluster_port_is_an_error_pointing_at_its_management_port()
    {
        var error = Assert.Single(Bootstrap("enabled = on, contact-points = [\"10.0.0.5:4053\", \"10.0.0.6:8558\"]").Errors).ToString();
        Assert.Contains("actors.cluster.bootstrap.contact-points: \"10.0.0.5:4053\" is this node's cluster port", error);
        Assert.Contains("use 10.0.0.5:8558", error);
    }

    [Fact]
    public void A_contact_point_that_is_not_host_port_is_an_error_naming_the_element()
    {
        var error = Assert.Single(Bootstrap("enabled = on, contact-points = [\"10.0.0.5:8558\", \"10.0.0.6:99999\"]").Errors).ToString();
        Assert.Contains("actors.cluster.bootstrap.contact-points: element 2 is \"10.0.0.6:99999\", which is not host:port or host", error);
    }

    [Fact]
    public void A_contact_point_listed_twice_is_an_error()
    {
        var error = Assert.Single(Bootstrap("enabled = on, contact-points = [\"10.0.0.5:8558\", \"10.0.0.5\"]").Errors).ToString();
        Assert.Contains("actors.cluster.bootstrap.contact-points: names a contact point twice", error);
    }

    [Theory]
    [InlineData("4", "4 is more than the 3 contact point(s) listed: a new cluster could never form")]
    [InlineData("0", "0 is out of range; use all (the default) or 1..3")]
    [InlineData("some", "\"some\" is not all or a whole number")]
    public void Required_contact_points_outside_one_to_the_number_listed_is_an_error(string value, string message)
    {
        var error = Assert.Single(Bootstrap($"enabled = on, {Points}, required-contact-points = {value}").Errors).ToString();
        Assert.Contains($"actors.cluster.bootstrap.required-contact-points: {message}", error);
    }

    [Fact]
    public void A_stable_margin_of_zero_is_an_error()
    {
        var error = Assert.Single(Bootstrap($"enabled = on, {Points}, stable-margin = 0s").Errors).ToString();
        Assert.Contains("actors.cluster.bootstrap.stable-margin: 0s is out of range", error);
    }

    [Fact]
    public void Contact_points_without_this_node_are_valid_with_a_warning_that_it_never_forms_a_cluster()
    {
        var result = Bootstrap("enabled = on, contact-points = [\"10.0.0.6\", \"10.0.0.7\"]");
        Assert.True(result.IsValid, Errors(result));
        var warning = Assert.Single(result.Warnings, w => w.Path == "actors.cluster.bootstrap.contact-points").ToString();
        Assert.Contains("does not list this node (10.0.0.5:8558)", warning);
        Assert.Contains("never forms one itself", warning);
    }

    [Fact]
    public void Bootstrap_keys_of_a_cluster_that_is_off_are_not_checked()
    {
        var result = Load("enabled = off\n bootstrap { enabled = on, management-port = 4053 }");
        Assert.True(result.IsValid, Errors(result));
        Assert.Null(result.Settings!.Cluster);
    }

    private const string Lease = "lease { name = \"job\", folder = \"leases\" }";

    [Fact]
    public void A_singleton_among_a_role_runs_on_the_nodes_with_that_role_and_is_placed_elsewhere_on_the_others()
    {
        var process = $"job {{ command = sh, placement {{ role = \"db\", singleton = on }}, {Lease} }}";
        var withRole = Load($"{Cluster}, seed-nodes = [\"10.0.0.5:4053\"], roles = [\"db\"]", process);
        Assert.True(withRole.IsValid, Errors(withRole));
        Assert.Equal(new SingletonPlacement("db"), Assert.Single(withRole.Settings!.Processes).Placement);
        Assert.Equal(["job"], withRole.Settings.ClusterDeclarations.Names);

        var without = Load($"{Cluster}, seed-nodes = [\"10.0.0.5:4053\"]", process);
        Assert.True(without.IsValid, Errors(without));
        Assert.Empty(without.Settings!.Processes);
        Assert.Equal("singleton among role db", Assert.Single(without.Settings.PlacedElsewhere).Placement.Describe());
        // Both nodes declare it alike: the join check compares it.
        Assert.Empty(withRole.Settings.ClusterDeclarations.Differences(without.Settings.ClusterDeclarations, "other"));
    }

    [Fact]
    public void Singleton_on_without_a_role_is_the_plain_singleton()
    {
        var result = Load($"{Cluster}, seed-nodes = [\"10.0.0.5:4053\"]", $"job {{ command = sh, placement {{ singleton = on }}, {Lease} }}");
        Assert.True(result.IsValid, Errors(result));
        Assert.Equal(Placement.Singleton, Assert.Single(result.Settings!.Processes).Placement);
    }

    [Fact]
    public void Singleton_off_with_a_role_is_role_placement()
    {
        var result = Load($"{Cluster}, seed-nodes = [\"10.0.0.5:4053\"], roles = [\"db\"]", "db { command = sh, placement { role = \"db\", singleton = off } }");
        Assert.True(result.IsValid, Errors(result));
        Assert.Equal(new RolePlacement("db"), Assert.Single(result.Settings!.Processes).Placement);
    }

    [Fact]
    public void A_singleton_among_a_role_needs_the_cluster_and_a_lease()
    {
        var errors = Load("enabled = off", "job { command = sh, placement { role = \"db\", singleton = on } }").Errors.Select(e => e.ToString()).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Contains("actors.processes.job.placement: singleton needs a cluster"));
        Assert.Contains(errors, e => e.Contains("actors.processes.job.placement: singleton needs a lease"));
    }

    [Fact]
    public void A_process_of_the_role_may_depend_on_a_singleton_of_the_same_role_only_if_it_is_one_too()
    {
        var result = Load($"{Cluster}, seed-nodes = [\"10.0.0.5:4053\"], roles = [\"db\"]",
            $"job {{ command = sh, placement {{ role = \"db\", singleton = on }}, {Lease} }}\n db {{ command = sh, placement {{ role = \"db\" }}, depends-on {{ job = started }} }}");
        var error = Assert.Single(result.Errors).ToString();
        Assert.Contains("actors.processes.db.depends-on.job: job runs only where placement singleton among role db puts it, but db runs where placement role db puts it", error);
    }
}
