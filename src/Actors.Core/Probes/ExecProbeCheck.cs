using System.Globalization;
using Actors.Configuration;
using Actors.Processes;

namespace Actors.Probes;

/// <summary>
/// <c>type = exec</c>: runs the command (argv, no shell) in the process's working directory with the process's
/// environment (not the node's) plus <c>ACTORS_PID</c>, and as its user, umask and limits (through the exec shim); exit code 0 passes. The detail is "exit code N", then the last line the
/// command wrote, on stdout or stderr.
/// <para>
/// The command runs through <see cref="OneShotCommand"/>, the node's own spawner and output pump, not CliWrap. CliWrap
/// (like <c>System.Diagnostics.Process</c> under it) gives stdout and stderr a pipe each, so which of two lines came
/// last is lost between the pipes; it cannot start the command as the leader of a new session without an extra
/// <c>setsid</c> exec; and its cancellation walks the process tree (and gives up after a few seconds) where one guarded
/// SIGKILL to the group is what is needed. Here stdout and stderr share one pipe (the last line is the last line
/// written), the command is its own session and group leader from the spawn, and a timeout or the end of the run
/// kills the group through the leader's pidfd (see <see cref="ProcessGroupSignal"/>). A probe command leaves nothing
/// behind, also not its background children.
/// </para>
/// </summary>
internal sealed class ExecProbeCheck(ExecProbeTarget target, ProbeContext context) : IProbeCheck
{
    /// <summary>The variable that tells a probe command whom it checks.</summary>
    public const string PidVariable = "ACTORS_PID";

    private readonly Dictionary<string, string> _environment = EnvironmentOf(context);
    private string[]? _envp;

    public async Task<ProbeOutcome> RunAsync(CancellationToken cancellationToken)
    {
        if (Resolve(out var problem) is not { } executable)
            return ProbeOutcome.Fail($"cannot run {target.Command}: {problem}");

        _envp ??= _environment.Select(entry => $"{entry.Key}={entry.Value}").ToArray();
        // As the process runs (user, umask, limits...): a check as root of a process that runs as www-data would
        // see files and rights the process does not have.
        if (ExecShim.Wrap(context.ShimOptions, executable, [target.Command, .. target.Args], out var missing) is not var (program, argv))
            return ProbeOutcome.Fail($"cannot run {target.Command}: {missing}");
        var outcome = await OneShotCommand.RunAsync(program, argv, _envp, context.WorkingDir, cancellationToken)
            .ConfigureAwait(false);
        switch (outcome)
        {
            case OneShotOutcome.NotStarted notStarted:
                return ProbeOutcome.Fail($"cannot run {target.Command}: {notStarted.Problem}");
            case OneShotOutcome.Ended ended:
                // Killed by a signal reads as a shell shows it: 128 + the signal.
                var code = ended.Status.Code ?? 128 + (ended.Status.Signal ?? 0);
                var detail = $"exit code {code}";
                if (ended.LastLine is { } line)
                    detail += $": {line}";
                return new ProbeOutcome(code == 0, detail);
            default:
                throw new InvalidOperationException($"unknown outcome {outcome}");
        }
    }

    /// <summary>
    /// The executable to run, or null and why not. Looked up at every check rather than once: the command may be
    /// installed while the process runs. A name without '/' is searched in the process's PATH, as exec would.
    /// </summary>
    private string? Resolve(out string? problem)
    {
        problem = !Directory.Exists(context.WorkingDir) ? $"working directory {context.WorkingDir} does not exist" : null;
        if (problem is not null)
            return null;

        if (target.Command.Contains('/'))
        {
            var path = Path.Combine(context.WorkingDir, target.Command);
            if (PathResolver.IsExecutableFile(path))
                return path;
            problem = $"{path} is not an executable file";
            return null;
        }

        _environment.TryGetValue("PATH", out var pathVariable);
        var found = PathResolver.FindOnPath(target.Command, pathVariable ?? Environment.GetEnvironmentVariable("PATH"));
        problem = found is null ? "not found in PATH" : null;
        return found;
    }

    /// <summary>
    /// The process's environment as it was started with ("K=V": with <c>inherit-env = off</c> that is not the node's),
    /// plus the pid of the process under check. Without the per-run notify socket: a probe command must not be able
    /// to tell the node that the process is ready. The node's marker is in it already (it proves the group ours to
    /// the group kill on kernels without pidfd group signals, once the leader is reaped).
    /// </summary>
    private static Dictionary<string, string> EnvironmentOf(ProbeContext context)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in context.Environment)
        {
            var equals = entry.IndexOf('=');
            if (equals > 0)
                environment[entry[..equals]] = entry[(equals + 1)..];
        }
        environment.Remove(LaunchSpecs.NotifySocketVariable);
        environment[PidVariable] = context.Pid.ToString(CultureInfo.InvariantCulture);
        environment[NodeMarker.Variable] = NodeMarker.OfThisNode[(NodeMarker.Variable.Length + 1)..];
        return environment;
    }
}
