using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Actors.Hosting;

/// <summary>Registers the client side of process supervision in the application's container.</summary>
public static class ProcessSupervisionServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IProcessSupervisor"/>, the client of the supervision that
    /// <c>akka.WithProcessSupervision(...)</c> adds inside <c>services.AddAkka(...)</c>, and makes an invalid
    /// configuration fail <c>host.StartAsync()</c>. Call it once, next to AddAkka.
    /// </summary>
    public static IServiceCollection AddProcessSupervisor(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(SupervisionLifecycle))) return services;
        services.AddSingleton<SupervisionLifecycle>();
        services.AddSingleton<IHostedService>(static sp => sp.GetRequiredService<SupervisionLifecycle>());
        services.TryAddSingleton<IProcessSupervisor, ProcessSupervisorClient>();
        return services;
    }
}
