using Actors.Configuration;
using Xunit;

namespace Actors.Core.Tests.Configuration;

/// <summary>
/// lease.class: any Akka.Coordination lease by class name (here the test leases of Actors.TestLeases), checked by
/// check-config as far as it can be without starting anything.
/// </summary>
public sealed class LeaseClassConfigSpec : IDisposable
{
    private const string Memory = "Actors.TestLeases.MemoryLease, Actors.TestLeases";
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private ConfigLoadResult Load(string lease) =>
        ConfigLoader.LoadText($"actors.processes.web {{\n  command = sh\n  lease {{ name = web, {lease} }}\n}}\n", "f.conf", _temp.Dir);

    private static string OnlyError(ConfigLoadResult result) => Assert.Single(result.Errors).ToString();

    [Fact]
    public void A_lease_class_needs_no_folder_and_carries_its_settings_as_hocon_for_the_implementation()
    {
        var result = Load($"class = \"{Memory}\", settings {{ greeting = hello, retries = 3, nested {{ a = 1s }}, hosts = [a, b] }}");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var lease = result.Settings!.Processes[0].Lease!;
        Assert.Equal((Memory, "", null), (lease.Class, lease.Folder, lease.Assembly));
        var block = Akka.Configuration.ConfigurationFactory.ParseString(lease.Settings);
        Assert.Equal("hello", block.GetString("greeting"));
        Assert.Equal(3, block.GetInt("retries"));
        Assert.Equal(TimeSpan.FromSeconds(1), block.GetTimeSpan("nested.a"));
        Assert.Equal(["a", "b"], block.GetStringList("hosts"));
    }

    [Fact]
    public void The_file_lease_stays_the_default_and_still_needs_its_folder()
    {
        var result = Load("folder = leases");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Null(result.Settings!.Processes[0].Lease!.Class);
    }

    [Fact]
    public void A_class_name_without_its_assembly_is_an_error_that_shows_the_form()
    {
        var error = OnlyError(Load("class = \"Actors.TestLeases.MemoryLease\""));
        Assert.StartsWith("f.conf:3: actors.processes.web.lease.class: \"Actors.TestLeases.MemoryLease\": not an assembly-qualified class name", error);
        Assert.Contains("\"Namespace.Type, AssemblyName\"", error);
    }

    [Fact]
    public void An_assembly_the_node_cannot_find_is_an_error_that_says_where_to_put_it()
    {
        var error = OnlyError(Load("class = \"Acme.Leases.EtcdLease, Acme.Leases\""));
        Assert.StartsWith("f.conf:3: actors.processes.web.lease.class: \"Acme.Leases.EtcdLease, Acme.Leases\": assembly Acme.Leases is not among the node's assemblies nor beside its binary", error);
        Assert.Contains("set lease.assembly to its path", error);
    }

    [Fact]
    public void An_unknown_type_in_a_found_assembly_is_an_error_suggesting_the_lease_it_has()
    {
        var error = OnlyError(Load("class = \"Actors.TestLeases.MemoryLeas, Actors.TestLeases\""));
        Assert.StartsWith("f.conf:3: actors.processes.web.lease.class: \"Actors.TestLeases.MemoryLeas, Actors.TestLeases\": assembly Actors.TestLeases", error);
        Assert.Contains("has no type Actors.TestLeases.MemoryLeas; did you mean Actors.TestLeases.MemoryLease?", error);
    }

    [Fact]
    public void A_class_that_is_not_a_lease_is_an_error()
    {
        var error = OnlyError(Load("class = \"Actors.TestLeases.NotALease, Actors.TestLeases\""));
        Assert.StartsWith("f.conf:3: actors.processes.web.lease.class: \"Actors.TestLeases.NotALease, Actors.TestLeases\": Actors.TestLeases.NotALease is not an Akka.Coordination.Lease", error);
    }

    [Fact]
    public void A_lease_without_a_constructor_the_node_can_call_is_an_error()
    {
        var error = OnlyError(Load("class = \"Actors.TestLeases.WrongConstructorLease, Actors.TestLeases\""));
        Assert.StartsWith("f.conf:3: actors.processes.web.lease.class:", error);
        Assert.Contains("has no public constructor (LeaseSettings, ActorSystem) or (LeaseSettings)", error);
    }

    [Fact]
    public void Settings_may_not_set_what_the_lease_block_sets()
    {
        var error = OnlyError(Load($"class = \"{Memory}\", settings {{ heartbeat-timeout = 3s }}"));
        Assert.StartsWith("f.conf:3: actors.processes.web.lease.settings.heartbeat-timeout: is set by lease.ttl", error);
    }

    [Fact]
    public void The_assembly_key_loads_the_class_from_a_dll_outside_the_node_relative_to_the_config_file()
    {
        var plugins = Directory.CreateDirectory(Path.Combine(_temp.Dir, "plugins")).FullName;
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Actors.TestLeases.dll"), Path.Combine(plugins, "Actors.TestLeases.dll"));

        var result = Load($"class = \"{Memory}\", assembly = \"plugins/Actors.TestLeases.dll\"");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(Path.Combine(plugins, "Actors.TestLeases.dll"), result.Settings!.Processes[0].Lease!.Assembly);
    }

    [Fact]
    public void An_assembly_path_that_is_missing_or_holds_another_assembly_is_an_error()
    {
        var missing = OnlyError(Load($"class = \"{Memory}\", assembly = \"nowhere/Actors.TestLeases.dll\""));
        Assert.Contains($"lease.assembly {Path.Combine(_temp.Dir, "nowhere", "Actors.TestLeases.dll")} does not exist", missing);

        var other = typeof(ConfigLoader).Assembly.Location;
        var mismatch = OnlyError(Load($"class = \"{Memory}\", assembly = \"{other}\""));
        Assert.Contains($"the class is in assembly Actors.TestLeases, but lease.assembly {other} is assembly Actors.Core; make them agree", mismatch);
    }
}
