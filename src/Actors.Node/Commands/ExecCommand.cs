using Actors.Node.Client;
using Actors.Node.Exec;
using Actors.Processes;

namespace Actors.Node.Commands;

/// <summary>
/// <c>actors exec [OPTIONS] [--] COMMAND [ARGS...]</c>: one job, supervised to its end by the node's own policy
/// code, without a node. See <see cref="Usage"/>.
/// </summary>
public static class ExecCommand
{
    public const string Usage = """
        usage: actors exec [OPTIONS] [--] COMMAND [ARGS...]

        Runs COMMAND (no shell) in a process group of its own, with a node's job policies, and exits with its
        exit code. No node is needed and nothing is written. COMMAND shares this command's stdin, stdout and
        stderr; actors exec writes only to stderr, and only about its own decisions. SIGINT, SIGTERM, SIGHUP
        and SIGQUIT are passed on to COMMAND's whole group and end the retries; SIGKILL follows after
        --kill-after, or at once on a second signal.

        options:
          --timeout DUR          stop a run that lasts longer: SIGTERM to its group, SIGKILL after
                                 --kill-after; the run ends as exit code 124. Default: off
          --kill-after DUR       time between the stop signal and SIGKILL. Default: 10s
          --signal SIG           the stop signal at the timeout (TERM, INT, HUP, ... or 1..64). Default: TERM
          --retry N              retry a run that failed transiently, up to N times (N+1 runs in all).
                                 Default: 0
          --backoff MIN..MAX     delay before each retry, doubling from MIN up to MAX, ±20%. Default: 1s..60s
          --budget DUR           total time for every run and delay: no retry starts after it, and a run still
                                 going is stopped (exit 124). Default: off
          --preset NAME          a tool's transient and permanent exit codes: curl, rsync
          --success-codes LIST   exit codes that count as success besides 0, e.g. 0,3
          --transient-codes LIST exit codes to retry (a code in no list is retried too)
          --permanent-codes LIST exit codes never retried (130 and death by SIGINT never are either)
          -v, --verbose          tell every state change on stderr
          -h, --help             print this text

        DUR is a duration with its unit: 500ms, 30s, 2m, 1h. LIST is comma-separated: 6,7,28.

        exit status: COMMAND's last exit code, or 128+N when signal N killed it;
          124  the last run hit --timeout or --budget     126  COMMAND cannot be run (not executable)
          125  actors exec itself failed                  127  COMMAND not found
          64   wrong usage of actors exec
        """;

    /// <summary>
    /// fd 2 written with plain write(2). Through <see cref="Console.Error"/>, the first line on a terminal would
    /// make .NET set the terminal up for itself (keypad mode) while the command shares it.
    /// </summary>
    private static StreamWriter RawStderr() =>
        new(new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(2, ownsHandle: false), FileAccess.Write, 1)) { AutoFlush = true };

    public static async Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ExecOptions options;
        Configuration.ProcessSettings settings;
        Task<Akka.Actor.ActorSystem> system;
        try
        {
            options = ExecOptions.Parse(args);
            if (options.Help)
            {
                stdout.WriteLine(Usage);
                return ExitCodes.Ok;
            }
            system = ExecRunner.StartSystem();
            settings = ExecSettings.Build(options, Environment.CurrentDirectory);
        }
        catch (UsageException e)
        {
            foreach (var line in e.Message.Split('\n')) stderr.WriteLine($"actors exec: {line}");
            stderr.WriteLine("usage: actors exec [OPTIONS] [--] COMMAND [ARGS...]  (actors exec --help for more)");
            return ExitCodes.Usage;
        }
        // Checked before anything starts, so a typo is not retried with backoff: as a shell or timeout says it.
        if (CommandResolver.Resolve(options.Command, Environment.GetEnvironmentVariable("PATH"), out var reason) is null)
        {
            stderr.WriteLine($"actors exec: {reason}");
            return options.Command.Contains('/') && Path.Exists(options.Command) ? ExecExitCodes.CannotRun : ExecExitCodes.NotFound;
        }
        var policies = options.Retries > 0 || options.Value("--timeout") is not null || options.Value("--budget") is not null;
        var report = new ExecReport(ReferenceEquals(stderr, Console.Error) ? RawStderr() : stderr, options.Verbose, policies);
        try
        {
            return await ExecRunner.RunAsync(system, settings, report);
        }
        catch (Exception e)
        {
            report.Line($"failed: {e.Message}");
            return ExecExitCodes.Internal;
        }
    }
}
