using System.ComponentModel;
using Actors.Configuration;
using CliWrap;

namespace Actors.Probes;

/// <summary>
/// <c>type = exec</c>: runs the command (argv, no shell) in the process's working directory with the process's
/// environment plus <c>ACTORS_PID</c>; exit code 0 passes. The detail is "exit code N", then the last line the
/// command printed.
/// <para>
/// The command runs as the leader of its own process group (through <c>setsid</c>, which execs it in place, so
/// its pid is the group id). On cancellation CliWrap's forceful cancel kills its process tree (SIGSTOP, walk the
/// children, SIGKILL); after the run, whatever way it ended, the whole group gets SIGKILL too (guarded: see <see cref="ProbeNative"/>): that also catches
/// children that were already reparented (a background <c>sleep &amp;</c> whose shell exited), which a tree walk
/// cannot see. A probe command leaves nothing behind.
/// </para>
/// </summary>
internal sealed class ExecProbeCheck(ExecProbeTarget target, ProbeContext context) : IProbeCheck
{
    /// <summary>The variable that tells a probe command whom it checks.</summary>
    public const string PidVariable = "ACTORS_PID";

    private readonly Dictionary<string, string?> _environment = EnvironmentOf(context);

    public async Task<ProbeOutcome> RunAsync(CancellationToken cancellationToken)
    {
        if (Resolve(out var problem) is not { } executable)
            return ProbeOutcome.Fail($"cannot run {target.Command}: {problem}");

        var output = new OutputTail();
        // --wait: should setsid ever have to fork (only when already a group leader), it still reports the exit code.
        var command = Cli.Wrap(SetsidPath!)
            .WithArguments(["--wait", executable, .. target.Args])
            .WithWorkingDirectory(context.WorkingDir)
            .WithEnvironmentVariables(_environment)
            .WithStandardOutputPipe(output.Target())
            .WithStandardErrorPipe(output.Target())
            .WithValidation(CommandResultValidation.None);

        CommandTask<CommandResult> run;
        try
        {
            // Forceful: cancelling kills the process tree at once (SIGKILL); SIGINT to the leader alone would not do.
            run = command.ExecuteAsync(forcefulCancellationToken: cancellationToken, gracefulCancellationToken: CancellationToken.None);
        }
        catch (Win32Exception error)
        {
            return ProbeOutcome.Fail($"cannot run {target.Command}: {error.Message}");
        }

        try
        {
            var result = await run.ConfigureAwait(false);
            var detail = $"exit code {result.ExitCode}";
            if (output.LastLine is { } line)
                detail += $": {line}";
            return new ProbeOutcome(result.ExitCode == 0, detail);
        }
        finally
        {
            ProbeNative.KillGroup(run.ProcessId);
        }
    }

    /// <summary>
    /// The executable to run, or null and why not. Looked up at every check rather than once: the command may be
    /// installed while the process runs. A name without '/' is searched in the process's PATH, as exec would.
    /// </summary>
    private string? Resolve(out string? problem)
    {
        problem = SetsidPath is null ? "setsid (util-linux) is not installed"
            : !Directory.Exists(context.WorkingDir) ? $"working directory {context.WorkingDir} does not exist"
            : null;
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
    /// The process's entries ("K=V", as it was started with) on top of the node's own environment, which the child
    /// starts from anyway; plus the pid of the process under check.
    /// </summary>
    private static Dictionary<string, string?> EnvironmentOf(ProbeContext context)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var entry in context.Environment)
        {
            var equals = entry.IndexOf('=');
            if (equals > 0)
                environment[entry[..equals]] = entry[(equals + 1)..];
        }
        environment[PidVariable] = context.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The node's marker proves the group ours when what is left of it is killed after the check (ProbeNative).
        environment[Processes.NodeMarker.Variable] = Processes.NodeMarker.OfThisNode[(Processes.NodeMarker.Variable.Length + 1)..];
        return environment;
    }

    private static readonly string? SetsidPath =
        PathResolver.FindOnPath("setsid", Environment.GetEnvironmentVariable("PATH"))
        ?? new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(PathResolver.IsExecutableFile);
}
