using Akka.Actor;
using Akka.Hosting;
using Actors.Configuration;
using Actors.Processes;
using Actors.Supervision;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Actors.Hosting;

/// <summary>Akka.Hosting extensions that add process supervision to an application's ActorSystem.</summary>
public static class ProcessSupervisionHostingExtensions
{
    // One supervision per ActorSystem: a second call would start a second root over the same state-dir.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<AkkaConfigurationBuilder, object> Supervised = new();

    /// <summary>
    /// Supervises the processes an <c>actors { ... }</c> HOCON block declares (the same text a node.conf holds),
    /// plus any declared in code through <paramref name="configure"/>. The configuration is read and checked here,
    /// as <c>actors check-config</c> does; an invalid one throws <see cref="ProcessSupervisionConfigException"/>
    /// listing every problem, so the host does not start and no process runs (with
    /// <c>services.AddProcessSupervisor()</c> the exception comes out of <c>host.StartAsync()</c>).
    /// </summary>
    public static AkkaConfigurationBuilder WithProcessSupervision(this AkkaConfigurationBuilder builder, string hocon,
        Action<ProcessSupervisionOptions>? configure = null)
    {
        var options = new ProcessSupervisionOptions();
        configure?.Invoke(options);
        return builder.WithProcessSupervision(hocon, options);
    }

    /// <summary>Supervises the processes declared in <paramref name="options"/> (see the HOCON overload).</summary>
    public static AkkaConfigurationBuilder WithProcessSupervision(this AkkaConfigurationBuilder builder, ProcessSupervisionOptions options) =>
        builder.WithProcessSupervision("", options);

    /// <summary>Supervises what <paramref name="hocon"/> and <paramref name="options"/> declare together; a process name in both is an error.</summary>
    public static AkkaConfigurationBuilder WithProcessSupervision(this AkkaConfigurationBuilder builder, string hocon, ProcessSupervisionOptions options)
    {
        ArgumentNullException.ThrowIfNull(hocon);
        ArgumentNullException.ThrowIfNull(options);
        var settings = SupervisionConfig.Read(hocon, options);
        builder.Supervise(settings, options, (system, loggers) =>
        {
            var log = loggers.CreateLogger("Actors.Hosting");
            var tracking = options.ChildTracking ? EmbeddedChildTracking.Start(settings.Node.StateDir, log) : null;
            var launcher = new LinuxProcessLauncher((what, e) => log.LogError("output pump: {What}: {Error}", what, e.Message), tracking?.Registry);
            var output = options.LogProcessOutput ? new ProcessOutputLogger(loggers) : null;
            // The notify sockets in the state-dir, as the node keeps them: not a folder per host pid left in /tmp.
            var supervisorOptions = new SupervisorOptions(launcher)
            {
                StateFile = Path.Combine(settings.Node.StateDir, "state.json"),
                NotifyFolder = Path.Combine(settings.Node.StateDir, "notify"),
                DeadMan = tracking?.DeadMan,
            };
            if (output is not null) supervisorOptions = supervisorOptions with { OpenLog = output.Follow(supervisorOptions.OpenLog) };
            // Once the processes are gone and the system with them: the launcher's threads, then the tracking,
            // which tells the watchdog it is an orderly end.
            system.WhenTerminated.ContinueWith(_ =>
            {
                output?.Dispose();
                launcher.Dispose();
                tracking?.Dispose();
            }, TaskScheduler.Default);
            return supervisorOptions;
        });
        ProcessHealth.Register(builder, settings);
        return builder;
    }

    /// <summary>
    /// For the standalone node, which reads and checks its file itself and owns its launcher and child tracking:
    /// the same root, registry entry, HOCON and ordered shutdown as the public overloads.
    /// </summary>
    internal static AkkaConfigurationBuilder WithProcessSupervision(this AkkaConfigurationBuilder builder, ActorsSettings settings, SupervisorOptions options) =>
        builder.Supervise(settings, new ProcessSupervisionOptions { ChildTracking = false, UseHostLogging = false }, (_, _) => options);

    /// <summary>How long the host's shutdown may wait for every process: shutdown-timeout, then a margin for the kills.</summary>
    public static TimeSpan StopAllTimeout(ActorsSettings settings) => settings.Node.ShutdownTimeout + TimeSpan.FromSeconds(10);

    private static AkkaConfigurationBuilder Supervise(this AkkaConfigurationBuilder builder, ActorsSettings settings,
        ProcessSupervisionOptions options, Func<ActorSystem, ILoggerFactory, SupervisorOptions> supervisorOptions)
    {
        if (Supervised.TryGetValue(builder, out _))
            throw new InvalidOperationException("WithProcessSupervision was called twice for one ActorSystem; declare every process in one call (HOCON, options, or both)");
        Supervised.Add(builder, settings);
        // The supervisor kills what still runs at shutdown-timeout and answers once those groups are gone: give it
        // that long and a margin, so the kills are its own (and logged), not the side effect of the system going.
        var stopAllTimeout = StopAllTimeout(settings);
        builder.AddHocon($"akka.coordinated-shutdown.phases.before-service-unbind.timeout = {(long)stopAllTimeout.TotalMilliseconds}ms", HoconAddMode.Prepend);
        if (options.UseHostLogging)
            builder.ConfigureLoggers(l =>
            {
                l.ClearLoggers();
                l.AddLoggerFactory();
            });
        builder.WithActors((system, registry, resolver) =>
        {
            var loggers = resolver.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
            var root = system.ActorOf(NodeSupervisor.Props(settings, supervisorOptions(system, loggers)), NodeSupervisor.Name);
            registry.Register<ProcessSupervision>(root);
            // Before the system goes: every process stops, dependents first, within shutdown-timeout.
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "stop-processes", async () =>
            {
                await root.Ask<NodeSupervisor.AllStopped>(new NodeSupervisor.StopAll(), stopAllTimeout);
                return Akka.Done.Instance;
            });
        });
        return builder;
    }
}
