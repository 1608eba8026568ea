using Akka.Actor;
using Akka.Configuration;
using Actors.Node.Hosting;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// Issue 14 (memory): what a node without the cluster, and <c>actors exec</c>, keep out of their memory. Akka would
/// read an app.config through .NET's configuration system (with it System.Private.Xml and the type converters) and
/// create Newtonsoft.Json's serializer, MiBs for nothing (bench/README.md, issue 14). Checked on the real programs
/// through /proc/PID/maps: what a process mapped is what it loaded. (OpenSSL is still loaded: Akka seeds its
/// ThreadLocalRandom from RandomNumberGenerator, which .NET serves from OpenSSL on Linux.)
/// </summary>
public sealed class FootprintSpec : IDisposable
{
    private readonly ControlledNode _node = new();
    private readonly List<ExecProcess> _execs = new();

    public void Dispose()
    {
        foreach (var exec in _execs) exec.Dispose();
        _node.Dispose();
    }

    /// <summary>
    /// What neither loads. The published (trimmed) build loads no XML reader either; the build these tests run by
    /// default (framework-dependent, untrimmed) still does, for a reason not found yet, so System.Private.Xml is checked
    /// only when the tests run against the published binary (ACTORS_TEST_NODE, see TestPaths).
    /// </summary>
    private static readonly string[] NotLoaded = TestPaths.PublishedNode is null
        ? ["System.ComponentModel.TypeConverter.dll", "Newtonsoft.Json.dll"]
        : ["System.ComponentModel.TypeConverter.dll", "Newtonsoft.Json.dll", "System.Private.Xml.dll"];

    [Fact]
    public void A_node_without_the_cluster_maps_no_type_converters_and_no_json_library_and_published_no_xml_reader()
    {
        _node.WriteConfig($"web {{ {ControlledNode.Sleeper} }}");
        _node.Start();
        _node.AwaitState("web", "running");
        // A client asking for its status: the control API's answer is written too.
        Assert.Equal(0, _node.Cli("status", "--json").Code);

        var maps = File.ReadAllText($"/proc/{_node.Process!.Pid}/maps");
        Assert.Contains("Akka.dll", maps); // the check sees managed assemblies at all, the ActorSystem's included
        foreach (var name in NotLoaded) Assert.DoesNotContain(name, maps);
    }

    [Fact]
    public async Task Exec_maps_no_type_converters_and_no_json_library_and_published_no_xml_reader_while_its_command_runs()
    {
        var dir = _node.Dir;
        // The command is exec's child, started once exec's ActorSystem runs: it copies its parent's maps.
        var exec = ExecProcess.Start(dir, ["--", "/bin/sh", "-c", "cat /proc/$PPID/maps > exec.maps"]);
        _execs.Add(exec);

        Assert.Equal(0, await exec.ExitCodeAsync());
        var maps = File.ReadAllText(Path.Combine(dir, "exec.maps"));
        Assert.Contains("Akka.dll", maps);
        foreach (var name in NotLoaded) Assert.DoesNotContain(name, maps);
    }

    [Fact]
    public void A_local_actor_system_refuses_to_serialize_with_a_message_that_says_why()
    {
        using var system = ActorSystem.Create("footprint", ConfigurationFactory.ParseString(LocalOnlySerializer.Hocon));
        var serializer = system.Serialization.FindSerializerFor(new object());
        Assert.IsType<LocalOnlySerializer>(serializer);

        var error = Assert.Throws<NotSupportedException>(() => serializer.ToBinary("a message"));
        Assert.Equal("cannot serialize a System.String: this actor system is local (no actors.cluster), its messages are never serialized", error.Message);
    }
}
