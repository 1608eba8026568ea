using Akka.Actor;
using Akka.Hosting;
using Actors.Configuration;
using Actors.Hosting;
using Actors.Node.Cluster;
using Actors.Node.Hosting;
using Actors.Supervision;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Actors.Integration.Tests.Cluster;

/// <summary>
/// One member of a cluster inside the test process: a generic host with the node's supervision and its cluster actor
/// (ClusterHosting, as the node adds it) on loopback, port 0 (the member binds a free port itself), over a temp folder.
/// Disposing stops it (it leaves the cluster, its processes stop) even when start-up failed.
/// </summary>
internal sealed class InProcessMember : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _started;

    public string Folder { get; }
    public ClusterAccess Access { get; } = new();
    public RunOutcome Outcome { get; } = new(new RunToCompletion(null, false));

    /// <summary>Completes when the member decided to stop its node (refused by the cluster, removed from it).</summary>
    public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private InProcessMember(string processes, string cluster, string akkaHocon)
    {
        Folder = Directory.CreateTempSubdirectory("actors-cluster-").FullName;
        var text = $"actors {{\n cluster {{ enabled = on, hostname = \"127.0.0.1\", port = 0, {cluster} }}\n processes {{\n{processes}\n }}\n}}\n";
        var result = ConfigLoader.LoadText(text, Path.Combine(Folder, "node.conf"), Folder);
        if (!result.IsValid) throw new InvalidOperationException(string.Join("\n", result.Errors));
        var settings = result.Settings!;
        Outcome.Stopping = () => false;
        Outcome.StopNode = () => Ended.TrySetResult();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        builder.Services.AddLogging();
        builder.Services.AddAkka(ClusterHosting.SystemName, (akka, _) =>
        {
            akka.WithProcessSupervision(text, options =>
            {
                options.StateDir = Path.Combine(Folder, "state");
                options.LogDir = Path.Combine(Folder, "logs");
                options.BaseDirectory = Folder;
            });
            ClusterHosting.Add(akka, settings, settings.Cluster!, Access, Outcome);
            // A test's own Akka settings over the node's (e.g. the throttler transport adapter of a partition test).
            if (akkaHocon.Length > 0) akka.AddHocon(akkaHocon, HoconAddMode.Prepend);
        });
        _host = builder.Build();
    }

    public static async Task<InProcessMember> StartAsync(string processes, string cluster = "", string akkaHocon = "")
    {
        var member = new InProcessMember(processes, cluster, akkaHocon);
        try
        {
            await member._host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
            member._started = true;
            return member;
        }
        catch
        {
            await member.DisposeAsync();
            throw;
        }
    }

    public ActorSystem System => _host.Services.GetRequiredService<ActorSystem>();

    /// <summary>The address it bound, "127.0.0.1:PORT", as seed-nodes name it.</summary>
    public string Address => $"127.0.0.1:{Akka.Cluster.Cluster.Get(System).SelfAddress.Port}";

    public Task<ClusterNode.MembersView> MembersAsync() =>
        Access.Node!.Ask<ClusterNode.MembersView>(new ClusterNode.GetMembers(), TimeSpan.FromSeconds(30));

    public Task<ClusterNode.Fleet> FleetAsync() =>
        Access.Node!.Ask<ClusterNode.Fleet>(new ClusterNode.GetFleet(), TimeSpan.FromSeconds(30));

    /// <summary>What this member's own supervisor reports.</summary>
    public Task<NodeSupervisor.NodeStatus> OwnStatusAsync() =>
        _host.Services.GetRequiredService<ActorRegistry>().Get<ProcessSupervision>()
            .Ask<NodeSupervisor.NodeStatus>(new NodeSupervisor.GetNodeStatus(), TimeSpan.FromSeconds(30));

    /// <summary>Stops the member as SIGTERM stops a node: it leaves the cluster, its processes stop.</summary>
    public async Task StopAsync()
    {
        if (!_started) return;
        _started = false;
        await _host.StopAsync().WaitAsync(TimeSpan.FromSeconds(90));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _host.Dispose();
            try { Directory.Delete(Folder, recursive: true); }
            catch (IOException) { /* a child's last write; the OS cleans temp folders */ }
        }
    }
}

/// <summary>Waits on a condition that needs an actor's answer: asks again every 100 ms until it holds, bounded.</summary>
internal static class AsyncPoll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> ask, Func<T, bool> condition, TimeSpan bound, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var last = await ask();
        while (!condition(last))
        {
            if (clock.Elapsed > bound) throw new TimeoutException($"never {what} within {bound.TotalSeconds:0}s; last: {last}");
            await Task.Delay(100);
            last = await ask();
        }
        return last;
    }
}
