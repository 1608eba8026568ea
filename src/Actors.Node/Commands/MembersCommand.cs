using Actors.Node.Client;

namespace Actors.Node.Commands;

/// <summary><c>actors members [--json]</c>: the cluster's members, their roles, reachability and the leader, as this node sees them.</summary>
public static class MembersCommand
{
    public const string Usage = "actors members [--json] [--socket PATH | --config FILE]";

    public static Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        ClientVerb.RunAsync(Usage, args, stdout, stderr, (line, client) =>
        {
            if (line.Positionals.Count > 0) throw new UsageException("members takes no arguments");
            var response = client.Send("GET", "/v1/cluster/members");
            using var document = ClientVerb.Expect(response, stderr, 200);
            if (line.Json) ClientVerb.WriteRaw(response, stdout);
            else ClusterTables.WriteMembers(document.RootElement, stdout, new Terminal(stdout));
            return ExitCodes.Ok;
        });
}
