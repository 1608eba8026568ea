using Akka.Actor;
using Akka.Configuration;
using Actors.Configuration;
using Actors.Node.Hosting;
using Actors.Processes;
using Actors.Scheduling;
using Actors.Supervision;

namespace Actors.Node.Exec;

/// <summary>
/// Runs one job to its end in a small in-process ActorSystem: no node, so no state-dir, control socket, node
/// lock or pid registry; nothing is written anywhere. The command shares exec's stdin, stdout and stderr.
/// </summary>
internal static class ExecRunner
{
    // Local actors only, and silent: stdout belongs to the command, stderr to exec's own decision lines.
    // The node's scheduler: a deadline fires within a millisecond instead of on a 10 ms tick. Nothing is serialized.
    private static readonly Config SystemConfig = ConfigurationFactory.ParseString($$"""
        {{DeadlineScheduler.Hocon}}
        {{LocalOnlySerializer.Hocon}}
        akka.loglevel = OFF
        akka.stdout-loglevel = OFF
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        """);

    /// <summary>
    /// Starts creating the ActorSystem on the thread pool: it is the slowest part of exec's start (Akka's code
    /// is compiled as it runs), so it overlaps with reading the options. Abandoned on a usage error.
    /// </summary>
    public static Task<ActorSystem> StartSystem() => Task.Run(() => ActorSystem.Create("actors-exec", SystemConfig));

    public static async Task<int> RunAsync(Task<ActorSystem> starting, ProcessSettings settings, ExecReport report)
    {
        // First, so that from here on a Ctrl-C reaches the command instead of ending exec.
        using var signals = new ExecSignals();
        // A SIGKILLed exec cannot stop its command: the watchdog (a second process, the node's own) then kills
        // the command's group. Disposed last: it is told of every group gone, then closes and exits.
        using var watchdog = WatchdogProgram.ArgvForThisProcess() is { } argv ? WatchdogLink.Start(argv, WatchdogProgram.Environment, report.Line) : null;
        using var launcher = new LinuxProcessLauncher((what, e) => report.Line($"{what}: {e.Message}"), watchdog, inheritStdio: true, followDescendants: false);
        var options = new SupervisorOptions(new OwnEnvironmentLauncher(launcher))
        {
            // No log: the output never passes through exec (null would mean "discard" for a piped child).
            OpenLog = (_, _) => null,
            TailLines = 1,
        };
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var system = await starting;
        try
        {
            signals.Attach(system.ActorOf(ExecJob.Props(settings, options, report, done), "exec"));
            return await done.Task;
        }
        finally
        {
            // The job is over and its group gone (or exec failed): the watchdog has nothing left to guard, and
            // closing it (it exits, a process start's worth of time) overlaps with stopping the actors.
            var closing = Task.Run(() => watchdog?.Dispose());
            // Stops the supervisor and its runner; a runner that still had a group would SIGKILL it here.
            await system.Terminate();
            await closing;
        }
    }
}
