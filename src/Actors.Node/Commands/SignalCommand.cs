using Actors.Configuration;
using Actors.Node.Client;

namespace Actors.Node.Commands;

/// <summary><c>actors signal NAME SIGNAL [--group]</c>: send a signal to a running process's main pid (or its whole group).</summary>
public static class SignalCommand
{
    public const string Usage = "actors signal NAME SIGNAL [--group] [--json] [--socket PATH | --config FILE]";

    public static Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        ClientVerb.RunAsync(Usage, args, stdout, stderr, (line, client) =>
        {
            if (line.Positionals.Count != 2) throw new UsageException("give one process name and one signal, e.g. 'actors signal web HUP'");
            var (name, signal) = (line.Positionals[0], line.Positionals[1]);
            if (!Signals.TryParse(signal, out _))
                throw new UsageException($"unknown signal '{signal}'; use a name like HUP, TERM, USR1, SIGUSR2 or a number 1-64");
            var body = JsonSerializerLite.Names([name], ("signal", signal), ("group", line.Has("--group")));
            var response = client.Send("POST", "/v1/signal", body);
            return ResultPrinter.Print(response, line, stdout, stderr);
        }, flags: ["--group"]);
}
