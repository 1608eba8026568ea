using Actors.Node.Client;

namespace Actors.Node.Commands;

/// <summary>
/// <c>actors status [NAME...] [--cluster] [--json] [--watch]</c>: the table, trails of named processes, or the API's JSON;
/// with --cluster, every process of every node of the cluster.
/// </summary>
public static class StatusCommand
{
    public const string Usage = "actors status [NAME...] [--cluster] [--json] [--watch] [--socket PATH | --config FILE]";
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);

    public static Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        ClientVerb.RunAsync(Usage, args, stdout, stderr, (line, client) =>
        {
            var target = line.Has("--cluster") ? "/v1/cluster/status"
                : "/v1/status" + (line.Positionals.Count > 0 ? "?" + ClientVerb.NameQuery(line.Positionals) : "");
            if (!line.Has("--watch")) return Show(client, target, line, stdout, stderr, clear: false);

            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            try
            {
                var terminal = new Terminal(stdout);
                while (!cancel.IsCancellationRequested)
                {
                    Show(client, target, line, stdout, stderr, clear: terminal.Colour);
                    cancel.Token.WaitHandle.WaitOne(WatchInterval);
                }
                return ExitCodes.Ok;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        }, flags: ["--watch", "--cluster"]);

    private static int Show(ControlClient client, string target, CommandLine line, TextWriter stdout, TextWriter stderr, bool clear)
    {
        var response = client.Send("GET", target);
        using var document = ClientVerb.Expect(response, stderr, 200);
        if (line.Json)
        {
            ClientVerb.WriteRaw(response, stdout);
            return ExitCodes.Ok;
        }
        var terminal = new Terminal(stdout);
        var text = new StringWriter();
        if (line.Has("--cluster")) ClusterTables.WriteStatus(document.RootElement, text, terminal, line.Positionals.ToHashSet(StringComparer.Ordinal));
        else StatusTable.Write(document.RootElement, text, terminal, withTrails: line.Positionals.Count > 0);
        // One write per screen, so a watched table does not flicker.
        stdout.Write((clear ? "\e[H\e[2J" : "") + text);
        stdout.Flush();
        return ExitCodes.Ok;
    }
}
