using Actors.Logging;
using Actors.Native;
using Actors.Processes.Native;

namespace Actors.Processes;

/// <summary>How a <see cref="OneShotCommand"/> run went.</summary>
internal abstract record OneShotOutcome
{
    /// <summary>The command ran and ended; <paramref name="LastLine"/> is the last non-empty line it wrote, or null.</summary>
    public sealed record Ended(ExitStatus Status, string? LastLine) : OneShotOutcome;

    /// <summary>The command could not be started (the spawn's error, in words).</summary>
    public sealed record NotStarted(string Problem) : OneShotOutcome;
}

/// <summary>
/// Runs a command to its end (an exec probe's): started like a main process, by the <see cref="Spawner"/> as the
/// leader of its own session and process group, stdout and stderr on one pipe; its exit and output watched by an
/// <see cref="OutputPump"/> through its pidfd, and reaped there. The pump closes the pipe at the exit after one
/// bounded read, so a descendant that holds the pipe and writes forever keeps neither the run nor memory.
/// <para>
/// Cancelled, the whole group gets SIGKILL at once, and the run waits for the command to be reaped before it throws.
/// Whatever way it ended, the group then gets SIGKILL again: that catches children left in it (a background
/// <c>sleep &amp;</c> whose shell exited), and what left the group (a <c>setsid</c>'d child, a daemon's double fork),
/// found by the run's own <c>ACTORS_RUN</c> marker (see <see cref="RunDescendants"/>). Every signal goes through the leader's pidfd (<see cref="ProcessGroupSignal"/>),
/// so a group id handed out again is never reached. Nothing of a run is left: no process of its group, no zombie, no fd.
/// </para>
/// </summary>
internal static class OneShotCommand
{
    // One thread and one epoll set for every one-shot command of this process, made at the first. Nothing to report
    // errors to: writing into an OutputTail cannot fail, and a hook's copy into a log that cannot be written is
    // dropped (the process's own output reports the log's trouble in its status).
    private static readonly Lazy<OutputPump> Pump = new(() => new OutputPump((_, _) => { }, warmUp: false));

    /// <param name="path">The executable, resolved.</param>
    /// <param name="argv">Its argv, argv[0] included.</param>
    /// <param name="envp">Its whole environment, <c>NAME=VALUE</c> entries (nothing is inherited).</param>
    /// <param name="workingDir">The folder it runs in.</param>
    /// <param name="copyTo">Also gets all the command writes (a hook's output goes into its process's log); null for none.</param>
    /// <exception cref="OperationCanceledException">Cancelled; the command and its group were killed and it was reaped.</exception>
    public static async Task<OneShotOutcome> RunAsync(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp,
        string workingDir, CancellationToken cancellationToken, IOutputSink? copyTo = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Its own run marker: what it starts outside its group (a setsid'd child, a daemon) is found and killed with it.
        var runEntry = LinuxProcessLauncher.NewRunEntry();
        var child = SpawnedChild.Start(path, argv, LinuxProcessLauncher.WithRunEntry(envp, runEntry), workingDir, LibC.ErrorText, out var problem);
        if (child is null)
            return new OneShotOutcome.NotStarted(problem!);

        var handle = child.Handle(runEntry);
        AdoptedOrphans.Register(handle); // the node, as subreaper, adopts what the command leaves; the sweep reaps it
        var output = new OutputTail();
        // Completed on the pump's thread: what awaits it must go on elsewhere.
        var exited = new TaskCompletionSource<ExitStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            IOutputSink sink = copyTo is null ? output : new TeeSink(output, copyTo);
            Pump.Value.Attach(handle, child.ExitPidfd, child.OutputFd, sink, status => exited.TrySetResult(status), closePipeAtExit: true);
            try
            {
                var status = await exited.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                return new OneShotOutcome.Ended(status, output.LastLine);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                handle.SignalGroup(LibC.SIGKILL);
                // SIGKILL ends it; waiting for the reap leaves no zombie and no open pipe behind the cancelled run.
                await exited.Task.ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            handle.SignalGroup(LibC.SIGKILL);
            handle.Release(); // reaped and released: its pidfd is closed
        }
    }
}

/// <summary>Hands every chunk to two sinks, the first one first.</summary>
internal sealed class TeeSink(IOutputSink first, IOutputSink second) : IOutputSink
{
    public void Write(ReadOnlySpan<byte> chunk)
    {
        first.Write(chunk);
        second.Write(chunk);
    }

    public void Flush()
    {
        first.Flush();
        second.Flush();
    }

    public void CompletePartialLine()
    {
        first.CompletePartialLine();
        second.CompletePartialLine();
    }
}
