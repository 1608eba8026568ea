using Akka.Actor;
using Akka.Hosting;
using Actors.Configuration;
using Actors.Hosting;
using Actors.Leases;
using Actors.Node.Leases;
using Actors.Node.Commands;
using Actors.Node.Control;
using Actors.Processes;
using Actors.Scheduling;
using Actors.Supervision;
using Actors.Node.Systemd;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
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
    /// <param name="http">The HTTP listener, bound, or null when it is off (then none of its code is loaded).</param>
    public static WebApplication Build(ActorsSettings settings, Serilog.ILogger logger, LinuxProcessLauncher launcher, NodeInfo node, System.Net.Sockets.Socket controlSocket,
        SystemdLink systemd, Http.HttpListening? http = null, RunOutcome? outcome = null, IDeadManSwitch? deadMan = null)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "actors" });
        var stopAllTimeout = ProcessSupervisionHostingExtensions.StopAllTimeout(settings);
        // The host must wait at least as long as the processes may take to stop.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = stopAllTimeout + TimeSpan.FromSeconds(5));
        builder.Services.AddSerilog(logger, dispose: false);
        if (http is null)
            // The unix socket alone: served without Kestrel, whose heartbeat wakes an idle node every second.
            builder.Services.AddSingleton<IServer>(services => new ControlSocketServer(controlSocket, services.GetRequiredService<ILogger<ControlSocketServer>>()));
        else
            UseKestrel(builder, controlSocket, http);
        builder.Services.AddSingleton(node);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(systemd);
        builder.Services.AddSingleton<Func<IActorRef>>(services => () => services.GetRequiredService<ActorRegistry>().Get<ProcessSupervision>());
        builder.Services.AddSingleton<ReloadService>();
        builder.Services.AddSingleton<ControlApi>();
        var cluster = new Cluster.ClusterAccess();
        builder.Services.AddSingleton(cluster);
        http?.AddServices(builder.Services);
        builder.Services.AddAkka("actors", (akka, _) =>
        {
            akka.AddHocon($$"""
                akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
                akka.log-dead-letters = off
                akka.log-dead-letters-during-shutdown = off
                {{DeadlineScheduler.Hocon}}
                {{LeanMailbox.Hocon}}
                """, HoconAddMode.Prepend);
            // Without the cluster nothing is serialized: Akka's JSON serializer (Newtonsoft.Json) is not created.
            if (settings.Cluster is null) akka.AddHocon(LocalOnlySerializer.Hocon, HoconAddMode.Prepend);
            akka.ConfigureLoggers(l =>
            {
                l.ClearLoggers();
                l.AddLoggerFactory();
                // Cluster bootstrap's coordinator and join decider log every lookup, probe failure (with its stack trace) and
                // decision, each second while the node waits; the cluster actor says whom it waits for instead.
                if (settings.Cluster?.Bootstrap is not null)
                    l.LogFilterBuilder = new Akka.Event.LogFilterBuilder().ExcludeSourceContaining("bootstrapCoordinator").ExcludeSourceContaining("JoinDecider");
            });
            // The same supervision an application embeds (root, registry entry, ordered stop at shutdown); the node
            // brings its own launcher, whose children its ChildTracking guards, and the state file.
            akka.WithProcessSupervision(settings, new SupervisorOptions(launcher)
            {
                StateFile = Path.Combine(settings.Node.StateDir, "state.json"),
                NotifyFolder = Path.Combine(settings.Node.StateDir, "notify"),
                DeadMan = deadMan,
            });
            // actors.cluster: only then is the cluster stack loaded (ClusterHosting names its types, this file does not).
            if (settings.Cluster is { } clusterSettings) Cluster.ClusterHosting.Add(akka, settings, clusterSettings, cluster, outcome);
            // Run to completion (exit-on-failure, --exit-code-from, --until-done): ends the node as SIGTERM would.
            if (outcome is not null)
                akka.WithActors((system, registry, resolver) =>
                {
                    var lifetime = resolver.GetService<IHostApplicationLifetime>();
                    outcome.Stopping = () => lifetime.ApplicationStopping.IsCancellationRequested;
                    outcome.StopNode = lifetime.StopApplication;
                    system.ActorOf(CompletionWatcher.Props(outcome, registry.Get<ProcessSupervision>(), settings.Processes), CompletionWatcher.Name);
                });
            akka.WithActors((system, registry) =>
            {
                if (node.Lock is { } held) system.ActorOf(NodeLockKeeper.Props(held, settings.Node.Lock.HeartbeatInterval), NodeLockKeeper.Name);
                system.ActorOf(IdleMemoryTrim.Props(), IdleMemoryTrim.Name);
                // Under systemd (Type=notify): READY=1, STATUS=, WATCHDOG=1 from the supervision's own transitions.
                if (systemd.Notifier.Enabled)
                    systemd.Reporter = system.ActorOf(SystemdReporter.Props(systemd, registry.Get<ProcessSupervision>(), settings.Processes), SystemdReporter.Name);
            });
        });
        var app = builder.Build();
        var api = app.Services.GetRequiredService<ControlApi>();
        if (http is null) app.Run(api.HandleAsync);
        else Http.HttpListening.Route(app, api);
        return app;
    }

    /// <summary>
    /// Kestrel serves the control socket and the HTTP listener. A method of its own, so that Kestrel's assemblies
    /// load only when the listener is on.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void UseKestrel(WebApplicationBuilder builder, System.Net.Sockets.Socket controlSocket, Http.HttpListening http) =>
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            // Bound by ControlSocket (0600 before its name appears); Kestrel serves it, each peer checked first.
            kestrel.ListenHandle((ulong)controlSocket.Handle, listen =>
                listen.Use(PeerCheck.Middleware(listen.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PeerCheck)))));
            http.Listen(kestrel);
            kestrel.Limits.MaxRequestBodySize = RequestBody.MaxBytes;
            kestrel.AddServerHeader = false;
        });
}
