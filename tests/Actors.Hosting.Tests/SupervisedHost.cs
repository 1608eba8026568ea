using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Actors.Hosting.Tests;

/// <summary>
/// A generic host with Akka.Hosting and WithProcessSupervision over a fresh temporary state-dir and log-dir, as a
/// user's application would build it. Disposing stops the host (and so every process) even when start-up failed.
/// </summary>
public sealed class SupervisedHost : IAsyncDisposable
{
    private SupervisedHost(IHost host, string folder) => (Host, Folder) = (host, folder);

    public IHost Host { get; }

    /// <summary>The temporary folder: state-dir is FOLDER/state, log-dir FOLDER/logs.</summary>
    public string Folder { get; }

    public IProcessSupervisor Client => Host.Services.GetRequiredService<IProcessSupervisor>();

    // Host.StopAsync of a host whose StartAsync threw fails on its own: such a host is only disposed.
    private bool _started;

    public static SupervisedHost Build(string hocon, Action<ProcessSupervisionOptions>? configure = null)
    {
        var folder = Directory.CreateTempSubdirectory("actors-hosting-").FullName;
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        builder.Services.AddLogging();
        builder.Services.AddAkka("test", (akka, _) => akka.WithProcessSupervision(hocon, options =>
        {
            options.StateDir = Path.Combine(folder, "state");
            options.LogDir = Path.Combine(folder, "logs");
            options.BaseDirectory = folder;
            configure?.Invoke(options);
        }));
        builder.Services.AddProcessSupervisor();
        return new SupervisedHost(builder.Build(), folder);
    }

    public static async Task<SupervisedHost> StartAsync(string hocon, Action<ProcessSupervisionOptions>? configure = null)
    {
        var host = Build(hocon, configure);
        try
        {
            await host.StartHostAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the host; DisposeAsync stops it only when this succeeded.</summary>
    public async Task StartHostAsync()
    {
        await Host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        _started = true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_started) await Host.StopAsync().WaitAsync(TimeSpan.FromSeconds(90));
        }
        finally
        {
            Host.Dispose();
            try { Directory.Delete(Folder, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
