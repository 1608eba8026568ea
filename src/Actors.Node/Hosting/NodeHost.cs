using Akka.Actor;
using Akka.Hosting;
using Actors.Configuration;
using Actors.Leases;
using Actors.Node.Commands;
using Actors.Node.Control;
using Actors.Processes;
using Actors.Scheduling;
using Actors.Supervision;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;

namespace Actors.Node.Hosting;

/// <summary>
/// The standalone node: a bare web host (console lifetime: SIGTERM/SIGINT stop it; no configuration files
/// read from the current folder), Serilog, an ActorSystem through Akka.Hosting whose root is the
/// <see cref="NodeSupervisor"/>, and Kestrel serving the control API on the node's unix socket. On stop, a
/// coordinated shutdown task stops every process (in dependency waves, within shutdown-timeout) before the
/// ActorSystem goes.
/// </summary>
internal static class NodeHost
{
    /// <param name="controlSocket">The listening control socket (<see cref="ControlSocket.Open"/>); the caller keeps it open until the host is disposed.</param>
    public static WebApplication Build(ActorsSettings settings, Serilog.ILogger logger, LinuxProcessLauncher launcher, NodeInfo node, System.Net.Sockets.Socket controlSocket)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "actors" });
        var shutdownTimeout = settings.Node.ShutdownTimeout;
        // The supervisor kills what still runs at shutdown-timeout and answers once those groups are gone: give it
        // that long and a margin, so the kills are its own (and logged), not the side effect of the system going.
        var stopAllTimeout = shutdownTimeout + TimeSpan.FromSeconds(10);
        // The host must wait at least as long as the processes may take to stop.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = stopAllTimeout + TimeSpan.FromSeconds(5));
        builder.Services.AddSerilog(logger, dispose: false);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            // Bound by ControlSocket (0600 before its name appears); Kestrel serves it, each peer checked first.
            kestrel.ListenHandle((ulong)controlSocket.Handle, listen =>
                listen.Use(PeerCheck.Middleware(listen.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PeerCheck)))));
            kestrel.Limits.MaxRequestBodySize = RequestBody.MaxBytes;
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddSingleton(node);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<Func<IActorRef>>(services => () => services.GetRequiredService<ActorRegistry>().Get<NodeSupervisor.RegistryKey>());
        builder.Services.AddSingleton<ReloadService>();
        builder.Services.AddSingleton<ControlApi>();
        builder.Services.AddAkka("actors", (akka, _) =>
        {
            akka.AddHocon($$"""
                akka.coordinated-shutdown.phases.before-service-unbind.timeout = {{(long)stopAllTimeout.TotalMilliseconds}}ms
                akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
                akka.log-dead-letters = off
                akka.log-dead-letters-during-shutdown = off
                {{DeadlineScheduler.Hocon}}
                """, HoconAddMode.Prepend);
            akka.ConfigureLoggers(l =>
            {
                l.ClearLoggers();
                l.AddLoggerFactory();
            });
            akka.WithActors((system, registry) =>
            {
                var options = new SupervisorOptions(launcher) { StateFile = Path.Combine(settings.Node.StateDir, "state.json") };
                var root = system.ActorOf(NodeSupervisor.Props(settings, options), NodeSupervisor.Name);
                registry.Register<NodeSupervisor.RegistryKey>(root);
                if (node.Lock is { } held) system.ActorOf(NodeLockKeeper.Props(held, settings.Node.Lock.HeartbeatInterval), NodeLockKeeper.Name);
                CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "stop-processes",
                    async () =>
                    {
                        await root.Ask<NodeSupervisor.AllStopped>(new NodeSupervisor.StopAll(), stopAllTimeout);
                        return Akka.Done.Instance;
                    });
            });
        });
        var app = builder.Build();
        var api = app.Services.GetRequiredService<ControlApi>();
        app.Run(api.HandleAsync);
        return app;
    }
}
