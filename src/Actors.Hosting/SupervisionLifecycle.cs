using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Actors.Hosting;

/// <summary>
/// Registered by <c>AddProcessSupervisor()</c>. Before any hosted service starts, it has the AddAkka builder run,
/// so an invalid configuration fails <c>host.StartAsync()</c> with its problems listed and nothing started (Akka's
/// own hosted service would only log it and stop the application). It also tells the client when calls may go
/// through: from the moment every hosted service has started until the host begins to stop.
/// </summary>
internal sealed class SupervisionLifecycle(IServiceProvider services) : IHostedLifecycleService
{
    private volatile int _phase; // 0 not started, 1 running, 2 stopping or stopped

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        // Runs the AddAkka builder (WithProcessSupervision reads and checks the configuration there). A failure
        // here propagates out of the host's StartAsync as is.
        services.GetRequiredService<AkkaConfigurationBuilder>();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        _phase = 1;
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        _phase = 2;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public bool IsRunning => _phase == 1;

    public void ThrowIfNotRunning()
    {
        switch (_phase)
        {
            case 0:
                throw new InvalidOperationException(
                    "the process supervision has not started: use IProcessSupervisor once the host has started (after host.StartAsync() or app.Run())");
            case 2:
                throw new InvalidOperationException("the process supervision is stopping with the host");
        }
    }
}
