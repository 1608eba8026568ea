using Actors.Configuration;
using Actors.Logging;

namespace Actors.Processes;

/// <summary>One run of a hook: which one, for which run (its spec gives folder and environment), with what added to its environment, and the log its output goes to.</summary>
public sealed record HookRequest(HookSettings Hook, LaunchSpec Spec, IReadOnlyDictionary<string, string> Environment, ProcessLogWriter? Log);

/// <summary>How a hook went: it succeeded (exit code 0), or why not.</summary>
public sealed record HookOutcome(string? Failure)
{
    public static readonly HookOutcome Success = new((string?)null);

    public bool Succeeded => Failure is null;
}

/// <summary>
/// Runs a hook as a <see cref="OneShotCommand"/> (leader of its own group, no shell, stdout and stderr on one pipe, the
/// whole group SIGKILLed at its timeout or when cancelled, reaped before the answer): in the process's folder and
/// environment plus what the request adds, its output copied into the process's log with each line prefixed
/// <c>"[NAME] "</c>. Nothing here blocks a thread: the wait is the output pump's.
/// </summary>
internal static class HookRunner
{
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the group was killed and reaped).</exception>
    public static async Task<HookOutcome> RunAsync(HookRequest request, CancellationToken cancellationToken)
    {
        var (hook, spec) = (request.Hook, request.Spec);
        var environment = LaunchSpecs.WithEnvironment(spec, request.Environment).Environment;
        var path = CommandResolver.Resolve(hook.Command, CommandResolver.PathOf(environment), out var notFound);
        if (path is null) return new HookOutcome($"could not start: {notFound}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(hook.Timeout);
        // As the process runs (user, umask, limits...), as systemd runs ExecStartPre= and ExecStopPost= as User=.
        if (ExecShim.Wrap(spec.ShimOptions, path, [hook.Command, .. hook.Args], out var missing) is not var (program, argv))
            return new HookOutcome($"could not start: {missing}");
        var copy = request.Log is { } log ? new PrefixedLogSink(log, $"[{hook.Name}] ") : null;
        OneShotOutcome outcome;
        try
        {
            outcome = await OneShotCommand.RunAsync(program, argv, environment, spec.WorkingDir, timeout.Token, copy)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new HookOutcome($"timed out after {HoconScalars.Format(hook.Timeout)} (its group was killed)");
        }
        return outcome switch
        {
            OneShotOutcome.NotStarted n => new HookOutcome($"could not start: {n.Problem}"),
            OneShotOutcome.Ended { Status.Code: 0 } => HookOutcome.Success,
            OneShotOutcome.Ended e => new HookOutcome($"exited with {e.Status}" + (e.LastLine is { } last ? $": {last}" : "")),
            _ => new HookOutcome("ended in an unknown way"),
        };
    }

}
