using Actors.Leases;
using Actors.Node.Leases;
using Actors.Node.Control;
using Actors.Node.Hosting;
using Actors.Node.Systemd;
using Actors.Processes;
using Actors.Supervision;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Actors.Node.Commands;

/// <summary>
/// <c>actors run [CONFIG]</c>: supervise in the foreground until SIGTERM or SIGINT, or, run to completion
/// (<c>--until-done</c>, <c>--exit-code-from NAME</c>, <c>availability.exit-on-failure</c>), until the run ends by itself.
/// </summary>
public static class RunCommand
{
    public const string Usage = "usage: actors run [--replace] [--until-done | --exit-code-from NAME] [CONFIG]";

    public static async Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (!RunOptions.TryParse(args, out var options, out var usage))
        {
            stderr.WriteLine($"actors run: {usage}");
            stderr.WriteLine(Usage);
            return ExitCodes.Usage;
        }
        var replace = options.Replace;
        args = options.Config is null ? [] : [options.Config];
        // Like the client verbs: no CONFIG means ./actors.conf when there is one, else the built-in demo.
        var result = ConfigSource.Load(args.Length == 1 ? args[0] : File.Exists(Client.SocketLocator.DefaultConfig) ? Client.SocketLocator.DefaultConfig : null);
        ConfigSource.Report(result, stderr);
        if (!result.IsValid)
        {
            stderr.WriteLine($"actors: {result.Errors.Count} problem(s) in the configuration; nothing started");
            return ExitCodes.InvalidConfig;
        }
        var settings = result.Settings!;
        if (options.ExitCodeFrom is { } from && settings.Processes.All(p => p.Name != from))
        {
            var known = settings.Processes.Select(p => p.Name).ToList();
            var near = Actors.Configuration.KeyChecker.Suggest(from, known);
            stderr.WriteLine($"actors: --exit-code-from {from}: {from} is not a process declared in {settings.SourceFile ?? "the built-in demo configuration"}; " +
                             (near is not null ? $"did you mean {near}?" : $"declared: {(known.Count == 0 ? "none" : string.Join(", ", known))}") + "; nothing started");
            return ExitCodes.UnknownProcess;
        }
        var outcome = new RunOutcome(new RunToCompletion(options.ExitCodeFrom, options.UntilDone));
        foreach (var (key, dir) in new[] { ("actors.node.log-dir", settings.Node.LogDir), ("actors.node.state-dir", settings.Node.StateDir) })
        {
            if (WritableFolder.Check(dir) is { } problem)
            {
                stderr.WriteLine($"actors: {key} {dir} is not usable: {problem}; point {key} at a writable folder");
                return ExitCodes.Failure;
            }
        }

        NodeLock nodeLock;
        try
        {
            // First of all: only the lock's holder may touch the state-dir, its socket and its orphans.
            nodeLock = NodeLock.Acquire(settings.Node.LockFile, settings.Node.Lock, replace,
                settings.Node.ShutdownTimeout + TimeSpan.FromSeconds(10), stderr.WriteLine);
        }
        catch (NodeLockBusyException e)
        {
            stderr.WriteLine($"actors: {e.Message}");
            return ExitCodes.LockHeld;
        }
        catch (NodeLockUnusableException e)
        {
            stderr.WriteLine($"actors: {e.Message}");
            return ExitCodes.Failure;
        }
        using var heldLock = nodeLock;
        // A second node on the cluster's host:port: say why before anything starts (checked after the lock: the same
        // node started twice is told about its state-dir first).
        if (settings.Cluster is { } cluster && Cluster.ClusterPort.Check(cluster, settings.SourceFile) is { } portProblem)
        {
            stderr.WriteLine($"actors: {portProblem}");
            return ExitCodes.Failure;
        }
        ControlSocket.Listening controlSocket;
        try
        {
            controlSocket = ControlSocket.Open(settings.Node.ControlSocket, settings.Node.StateDir);
        }
        catch (ControlSocketException e)
        {
            stderr.WriteLine($"actors: {e.Message}");
            return ExitCodes.Failure;
        }

        using var listening = controlSocket;
        Http.HttpListening? http = null;
        try
        {
            if (settings.Node.Http is { } httpSettings) http = OpenHttp(httpSettings);
        }
        catch (Http.HttpListenerException e)
        {
            stderr.WriteLine($"actors: {e.Message}");
            return ExitCodes.Failure;
        }
        using var httpListening = http;
        var logger = NodeLogging.Create(settings.Node.LogDir);
        // Before any child starts: the notify variables are the node's alone, none of its children inherits them.
        using var notifier = SystemdNotifier.FromEnvironment(problem => logger.Warning("{Problem:l}", problem));
        var systemd = new SystemdLink(notifier);
        try
        {
            logger.Information("actors {Version} supervising {Count} process(es) from {Source}",
                VersionCommand.Version, settings.Processes.Count, settings.SourceFile ?? "the built-in demo configuration");
            if (nodeLock.Takeover is { } takeover) logger.Warning("node lock {Path} taken over: {Reason}", nodeLock.Path, takeover);
            var node = new NodeInfo(Environment.ProcessId, DateTimeOffset.UtcNow, settings.SourceFile, VersionCommand.Version,
                settings.Node.ControlSocket, settings.Node.StateDir) { Lock = nodeLock, Http = http?.BaseAddress };
            // Now that this node holds the lock: stop what an earlier node left running, then record every
            // child (pid registry) and guard them with the watchdog, which kills them if this node dies.
            PidRegistry.ReapOrphans(settings.Node.StateDir, line => logger.Warning("{Orphans:l}", line));
            using var children = ChildTracking.Start(settings.Node.StateDir, logger);
            // Orphaned descendants of the children (a daemon's double fork, a job whose shell exited) become this
            // node's children rather than init's: seen, stopped with their process, and reaped here.
            if (!AdoptedOrphans.Enable(out var subreaperProblem))
                logger.Warning("{Problem:l}; descendants whose parent exits go to init, and are found by their environment only", subreaperProblem);
            using var launcher = new LinuxProcessLauncher((what, e) => logger.Error("output pump: {What}: {Error}", what, e.Message), children.Registry);
            await using var host = NodeHost.Build(settings, logger, launcher, node, controlSocket.Socket, systemd, http, outcome, children.DeadMan);
            // SIGHUP means reload, as for most daemons; without a handler it would kill the node outright and
            // leave every child running, orphaned in its own session.
            var reload = host.Services.GetRequiredService<ReloadService>();
            using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                _ = reload.ReloadAsync("SIGHUP").ContinueWith(
                    t => logger.Error(t.Exception, "reload on SIGHUP failed"), TaskContinuationOptions.OnlyOnFaulted);
            });
            // Before the processes are told to stop: systemd then knows the node is going, not hung.
            using var stopping = host.Lifetime.ApplicationStopping.Register(systemd.SendStopping);
            LogRunToCompletion(logger, outcome.Policy, settings);
            await host.StartAsync();
            if (http is not null) LogHttp(logger, http);
            logger.Information("control API listening on {Socket}", settings.Node.ControlSocket);
            if (notifier.Enabled)
                logger.Information("speaking sd_notify to {Socket}{Watchdog:l}", notifier.SocketPath,
                    notifier.WatchdogInterval is { } every ? $", WATCHDOG=1 every {every.TotalSeconds:0.###}s" : "");
            await host.WaitForShutdownAsync();
            if (!nodeLock.StillHeld)
            {
                logger.Error("node stopped: it lost its lock {Path} to another node", nodeLock.Path);
                return ExitCodes.LockHeld;
            }
            if (outcome.Exit is { } exit)
            {
                logger.Information("node stopped; exit code {Code} ({Reason:l})", exit.Code, exit.Reason);
                return exit.Code;
            }
            if (outcome.Policy.UntilDone || outcome.Policy.ExitCodeFrom is not null)
            {
                // A CI job stopped half-way (SIGTERM, Ctrl-C, actors shutdown) must not pass for a finished one.
                logger.Warning("node stopped before the run was done ({What:l}); exit code 1",
                    outcome.Policy.UntilDone ? "--until-done" : $"--exit-code-from {outcome.Policy.ExitCodeFrom}");
                return ExitCodes.Failure;
            }
            logger.Information("node stopped");
            return ExitCodes.Ok;
        }
        catch (Exception e)
        {
            logger.Fatal(e, "the node failed");
            return ExitCodes.Failure;
        }
        finally
        {
            (logger as IDisposable)?.Dispose();
        }
    }

    private static void LogRunToCompletion(Serilog.ILogger logger, RunToCompletion policy, Actors.Configuration.ActorsSettings settings)
    {
        if (policy.ExitCodeFrom is { } from)
            logger.Information("{Line:l}", $"--exit-code-from {from}: the node stops every process once {from} completes or fails, and exits with its exit code");
        if (!policy.UntilDone) return;
        logger.Information("{Line:l}", "--until-done: the node stops once every process is done (completed, failed or stopped); exit code 0, or 1 if any failed");
        foreach (var name in RunToCompletion.NeverDoneByThemselves(settings.Processes))
            logger.Warning("{Line:l}", $"--until-done: {name} is a service with restart = always: it is never done by itself, so the node runs until it fails for good or is stopped ('actors stop {name}')");
    }

    // Apart, so that a node with the listener off never loads what only the listener uses.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static Http.HttpListening OpenHttp(Actors.Configuration.HttpListenerSettings settings) => Http.HttpListening.Open(settings);

    private static void LogHttp(Serilog.ILogger logger, Http.HttpListening http)
    {
        logger.Information("HTTP listener on {Address} (dashboard at /, metrics at /metrics); state changes {Token}",
            http.BaseAddress, http.Settings.TokenFile is null ? "refused: no actors.node.http.token-file" : "need the bearer token");
        if (http.Settings.IsWildcard)
            logger.Warning("actors.node.http.listen = {Listen} listens on every network interface: anyone who can reach this machine can read the dashboard, status, logs and metrics", http.Settings.ListenText);
    }
}

/// <summary>Creates a folder if needed and proves it can be written, before anything starts.</summary>
internal static class WritableFolder
{
    public static string? Check(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            var probe = Path.Combine(dir, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }
}
