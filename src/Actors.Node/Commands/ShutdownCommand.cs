using Actors.Node.Client;
using Actors.Processes;

namespace Actors.Node.Commands;

/// <summary>
/// <c>actors shutdown [--no-wait]</c>: the node stops every process (in dependency waves) and exits; the CLI
/// waits until the node's process is gone, unless told not to.
/// </summary>
public static class ShutdownCommand
{
    public const string Usage = "actors shutdown [--no-wait] [--json] [--socket PATH | --config FILE]";

    public static Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        ClientVerb.RunAsync(Usage, args, stdout, stderr, (line, client) =>
        {
            if (line.Positionals.Count > 0) throw new UsageException("shutdown takes no arguments");
            var response = client.Send("POST", "/v1/shutdown");
            using var document = ClientVerb.Expect(response, stderr, 202);
            var pid = document.RootElement.GetProperty("pid").GetInt32();
            var timeout = TimeSpan.FromSeconds(document.RootElement.GetProperty("shutdown-timeout-s").GetDouble());
            if (line.Json) ClientVerb.WriteRaw(response, stdout);
            if (line.Has("--no-wait"))
            {
                if (!line.Json) stdout.WriteLine($"node {pid} is shutting down");
                return ExitCodes.Ok;
            }
            // The socket is on this machine, so the node is a local process: wait for it to be gone.
            var patience = timeout + TimeSpan.FromSeconds(15);
            if (!ProcessExit.WaitFor(pid, patience))
            {
                stderr.WriteLine($"actors: node {pid} is still running {HumanTime.Format(patience.TotalSeconds)} after the shutdown request; see its log");
                return ExitCodes.Failure;
            }
            if (!line.Json) stdout.WriteLine($"node {pid} stopped");
            return ExitCodes.Ok;
        }, flags: ["--no-wait"]);
}
