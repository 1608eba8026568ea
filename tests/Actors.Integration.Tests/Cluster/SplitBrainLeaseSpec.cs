using Akka.Actor;
using Akka.Configuration;
using Akka.Coordination;
using Actors.Configuration;
using Actors.Leases;
using Actors.Node.Cluster;
using Xunit;

namespace Actors.Integration.Tests.Cluster;

/// <summary>
/// What the node gives Akka's split brain resolver for lease-majority: its strategy and timings, and a lease block that
/// Akka's own LeaseProvider makes into the configured lease (a local ActorSystem here, the cluster left out).
/// </summary>
public sealed class SplitBrainLeaseSpec : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-sbr-lease-").FullName;
    private readonly List<ActorSystem> _systems = [];

    public void Dispose()
    {
        foreach (var system in _systems) system.Terminate().Wait(TimeSpan.FromSeconds(30));
        Directory.Delete(_dir, recursive: true);
    }

    private ClusterSettings Cluster(string lease)
    {
        var result = ConfigLoader.LoadText($"actors {{ cluster {{ enabled = on, hostname = \"127.0.0.1\", seed-nodes = [\"127.0.0.1:4053\"], lease {{ {lease} }} }}, processes.web {{ command = sh }} }}",
            Path.Combine(_dir, "node.conf"), _dir);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Settings!.Cluster!;
    }

    private (Config Config, Lease Lease) Made(ClusterSettings cluster)
    {
        var config = ConfigurationFactory.ParseString(ClusterHosting.Hocon(cluster));
        var system = ActorSystem.Create("sbr", ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(config));
        _systems.Add(system);
        var lms = "akka.cluster.split-brain-resolver.lease-majority";
        return (config, LeaseProvider.Get(system).GetLease(config.GetString($"{lms}.lease-name"), config.GetString($"{lms}.lease-implementation"), "actors@127.0.0.1:4053"));
    }

    [Fact]
    public async Task Lease_majority_gives_akkas_lease_provider_the_file_lease_on_the_shared_folder_with_the_configured_timing()
    {
        var (config, lease) = Made(Cluster("folder = shared, ttl = 6s, acquire-delay-for-minority = 3s, release-after = 50s"));

        Assert.Equal("lease-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal(TimeSpan.FromSeconds(3), config.GetTimeSpan("akka.cluster.split-brain-resolver.lease-majority.acquire-lease-delay-for-minority"));
        Assert.Equal(TimeSpan.FromSeconds(50), config.GetTimeSpan("akka.cluster.split-brain-resolver.lease-majority.release-after"));
        var file = Assert.IsType<FileLease>(lease);
        Assert.Equal(("actors-sbr", TimeSpan.FromSeconds(6)), (file.Settings.LeaseName, file.Settings.TimeoutSettings.HeartbeatTimeout));
        Assert.True(await file.Acquire().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(file.CheckLease());
        Assert.Single(Directory.GetFiles(Path.Combine(_dir, "shared"), "actors-sbr.lease.*"));
        Assert.True(await file.Release().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Lease_majority_with_a_lease_class_gives_akkas_lease_provider_that_class_with_its_settings()
    {
        var marker = Path.Combine(_dir, "marker");
        var (_, lease) = Made(Cluster($"name = sbr-{Guid.NewGuid():N}, class = \"Actors.TestLeases.MemoryLease, Actors.TestLeases\", settings {{ marker = \"{marker}\", greeting = sbr }}"));

        Assert.IsType<Actors.TestLeases.MemoryLease>(lease);
        Assert.True(await lease.Acquire().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(["acquired actors@127.0.0.1:4053 greeting=sbr interval=1000 ttl=10000 op=5000"], await File.ReadAllLinesAsync(marker));
        await lease.Release().WaitAsync(TimeSpan.FromSeconds(30));
    }
}
