using Akka.Actor;
using Akka.Hosting;
using Actors.Configuration;
using Actors.Processes;
using Actors.Supervision;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace Actors.Node.Hosting;

/// <summary>
/// The standalone node: the generic host (console lifetime: SIGTERM/SIGINT stop it), Serilog, and an
/// ActorSystem through Akka.Hosting whose root is the <see cref="NodeSupervisor"/>. On stop, a coordinated
/// shutdown task stops every process (last declared first) before the ActorSystem goes.
/// </summary>
internal static class NodeHost
{
    public static IHost Build(ActorsSettings settings, Serilog.ILogger logger, LinuxProcessLauncher launcher)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var shutdownTimeout = settings.Node.ShutdownTimeout;
        // The host must wait at least as long as the processes may take to stop.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout + TimeSpan.FromSeconds(5));
        builder.Services.AddSerilog(logger, dispose: false);
        builder.Services.AddAkka("actors", (akka, _) =>
        {
            akka.AddHocon($$"""
                akka.coordinated-shutdown.phases.before-service-unbind.timeout = {{(long)shutdownTimeout.TotalMilliseconds}}ms
                akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
                akka.log-dead-letters = off
                akka.log-dead-letters-during-shutdown = off
                """, HoconAddMode.Prepend);
            akka.ConfigureLoggers(l =>
            {
                l.ClearLoggers();
                l.AddLoggerFactory();
            });
            akka.WithActors((system, registry) =>
            {
                var options = new SupervisorOptions(launcher);
                var root = system.ActorOf(NodeSupervisor.Props(settings, options), NodeSupervisor.Name);
                registry.Register<NodeSupervisor.RegistryKey>(root);
                CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "stop-processes",
                    async () =>
                    {
                        await root.Ask<NodeSupervisor.AllStopped>(new NodeSupervisor.StopAll(), shutdownTimeout);
                        return Akka.Done.Instance;
                    });
            });
        });
        return builder.Build();
    }
}
