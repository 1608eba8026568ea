using Actors.Node.Commands;

namespace Actors.Node;

/// <summary>Dispatches <c>actors VERB ...</c> to one command class per verb.</summary>
public static class Cli
{
    public const string Usage = """
        usage: actors <command> [arguments]

        commands:
          run [--replace] [CONFIG]     supervise the processes CONFIG declares, in the foreground
                                       (no CONFIG: ./actors.conf if present, else the built-in demo);
                                       --replace stops the node holding this state-dir and takes over
              [--until-done]           stop and exit once every process is done: 0, or 1 if any failed
              [--exit-code-from NAME]  stop and exit with NAME's exit code once NAME completes or fails
          check-config CONFIG          report every problem in CONFIG at once; exit 0 when valid
          simulate CONFIG [--for DUR] [--seed N] [--behave NAME="..."] [--expect NAME=STATE] [--json]
                                       what CONFIG's policy does over virtual time with scripted
                                       processes; nothing is started (actors simulate --help)
          unit [CONFIG] [--user NAME] [--watchdog 30s|off]
                                       print a systemd unit (Type=notify, watchdog) that runs CONFIG
          exec [OPTIONS] -- CMD ARGS   run CMD once with a timeout, retries and signal passing; no node needed
                                       (actors exec --help)
          status [NAME...] [--watch]   state, pid, uptime, restarts, last exit and reason of each process
                                       (with names: their last 20 transitions too);
                                       --cluster: every process of every node of the cluster
          members                      the cluster's members, roles, reachability and leader
          logs NAME...|--all [-n N] [-f]
                                       the last N lines (default 50), merged; -f follows until Ctrl-C
          start NAME...|--all          start (a failed process gets a fresh start limit)
          stop NAME...|--all           stop and keep stopped, across node restarts too, until start
          restart NAME...|--all        stop, then start again
          signal NAME SIGNAL [--group] send a signal to the main process (or its whole group)
          scale NAME COUNT             run COUNT replicas of NAME: new ones start, the highest-numbered stop
          wait NAME...|--all --until STATE [--timeout 60s]
                                       block until each is ready|running|completed|stopped|failed;
                                       exit 124 at the timeout, 1 at once if it cannot get there
          reload                       re-read the configuration file and apply what changed
          shutdown [--no-wait]         stop every process and the node
          version                      print the version
          completion bash|zsh          print a shell completion script (source <(actors completion bash))
          help                         print this text

        The client commands (status to shutdown, scale, and wait) take --json for the API's JSON, and find the node by
        --socket PATH, else --config FILE, else $ACTORS_SOCKET, else ./actors.conf, else ./.actors/control.sock.
        """;

    /// <summary>
    /// The verbs that run a node or read a configuration as the node does (Akka's HOCON, the ActorSystem): only the
    /// .NET program runs them. In the published folder the <c>actors</c> front (src/Actors.Client/actors.c, which
    /// keeps its own copy of this list) hands them to it, and every other verb to the ahead-of-time compiled client.
    /// </summary>
    public static readonly string[] NodeVerbs = ["run", "exec", "check-config", "simulate", "unit"];

    /// <summary>
    /// One verb: a node verb goes to <see cref="NodeVerbCommands"/> (the node's own in the .NET program; in the
    /// ahead-of-time client, a usage error), every other one is the client's, the same code in both programs.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        if (args.Length == 0)
        {
            stderr.WriteLine(Usage);
            return ExitCodes.Usage;
        }
        var rest = args[1..];
        if (NodeVerbs.Contains(args[0])) return await NodeVerbCommands.RunAsync(args[0], rest, stdout, stderr);
        switch (args[0])
        {
            case "status":
                return await StatusCommand.ExecuteAsync(rest, stdout, stderr);
            case "members":
                return await MembersCommand.ExecuteAsync(rest, stdout, stderr);
            case "logs":
                return await LogsCommand.ExecuteAsync(rest, stdout, stderr);
            case "start":
                return await StartCommand.ExecuteAsync(rest, stdout, stderr);
            case "stop":
                return await StopCommand.ExecuteAsync(rest, stdout, stderr);
            case "restart":
                return await RestartCommand.ExecuteAsync(rest, stdout, stderr);
            case "signal":
                return await SignalCommand.ExecuteAsync(rest, stdout, stderr);
            case "scale":
                return await ScaleCommand.ExecuteAsync(rest, stdout, stderr);
            case "wait":
                return await WaitCommand.ExecuteAsync(rest, stdout, stderr);
            case "reload":
                return await ReloadCommand.ExecuteAsync(rest, stdout, stderr);
            case "shutdown":
                return await ShutdownCommand.ExecuteAsync(rest, stdout, stderr);
            case "completion":
                return CompletionCommand.Execute(rest, stdout, stderr);
            case "version" or "--version":
                stdout.WriteLine($"actors {VersionCommand.Version}");
                return ExitCodes.Ok;
            case "help" or "--help" or "-h":
                stdout.WriteLine(Usage);
                return ExitCodes.Ok;
            default:
                stderr.WriteLine($"actors: unknown command '{args[0]}'");
                stderr.WriteLine(Usage);
                return ExitCodes.Usage;
        }
    }
}
