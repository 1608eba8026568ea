using System.Text;
using System.Text.Json;
using Actors.Node.Client;

namespace Actors.Node.Commands;

/// <summary>
/// <c>actors logs NAME... | --all [-n N] [-f]</c>: the last N lines from the node's in-memory tails, merged in
/// the order they were read and prefixed with the process name when there is more than one process; with -f,
/// new lines as they come until Ctrl-C.
/// </summary>
public static class LogsCommand
{
    public const string Usage = "actors logs NAME... | --all [-n N] [-f|--follow] [--json] [--socket PATH | --config FILE]";

    public static Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        ClientVerb.RunAsync(Usage, args, stdout, stderr, (line, client) =>
        {
            var all = line.Has("--all");
            if (all == line.Positionals.Count > 0) throw new UsageException(all ? "give process names or --all, not both" : "name at least one process, or --all");
            var lines = line.Value("-n") ?? line.Value("--lines");
            if (lines is not null && (!int.TryParse(lines, out var n) || n < 0))
                throw new UsageException($"-n {lines} is not a number of lines (0 or more)");
            var follow = line.Has("-f") || line.Has("--follow");
            var query = new List<string> { all ? "all=true" : ClientVerb.NameQuery(line.Positionals) };
            if (lines is not null) query.Add($"n={lines}");
            if (follow) query.Add("follow=true");

            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            try
            {
                var printer = new LinePrinter(stdout, stderr, line.Json, prefix: all || line.Positionals.Count > 1);
                var error = client.StreamLines("/v1/logs?" + string.Join("&", query), printer.Print, cancel.Token);
                if (error is not null)
                {
                    ClientVerb.Expect(error, stderr, 200).Dispose();
                }
                else if (follow && !cancel.IsCancellationRequested)
                {
                    stderr.WriteLine("actors: the node closed the log stream (it is shutting down)");
                }
                return ExitCodes.Ok;
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return ExitCodes.Ok;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        }, valued: ["-n", "--lines"], flags: ["-f", "--follow", "--all"]);

    /// <summary>Prints each NDJSON line: as it is with --json, else the text, after a padded, coloured name.</summary>
    private sealed class LinePrinter(TextWriter stdout, TextWriter stderr, bool json, bool prefix)
    {
        private static readonly string[] Colours = ["36", "35", "34", "32", "33", "96", "95", "94"];
        private readonly Terminal _terminal = new(stdout);
        private readonly Dictionary<string, string> _colours = new();
        private int _width;
        private bool _prefix = prefix;
        private HashSet<string> _header = new(StringComparer.Ordinal);

        public void Print(ReadOnlyMemory<byte> ndjson)
        {
            if (json)
            {
                stdout.WriteLine(Encoding.UTF8.GetString(ndjson.Span));
                stdout.Flush();
                return;
            }
            using var document = JsonDocument.Parse(ndjson);
            var root = document.RootElement;
            if (root.TryGetProperty("processes", out var processes))
            {
                // The header: every name there is now, so the prefixes line up from the first line on. One NAME may
                // stand for several copies (replicas): then their lines need the names too.
                _header = processes.EnumerateArray().Select(p => p.GetString()!).ToHashSet(StringComparer.Ordinal);
                _prefix |= _header.Count > 1;
                _width = _header.Select(n => n.Length).DefaultIfEmpty(0).Max();
                return;
            }
            var name = root.GetProperty("name").GetString()!;
            if (root.TryGetProperty("dropped", out var dropped))
            {
                stderr.WriteLine($"actors: {dropped.GetInt64()} line(s) of {name} were dropped: the follower fell behind the in-memory tail");
                return;
            }
            var text = root.GetProperty("line").GetString();
            // A process that was not there at the start (a copy a scale added while following) makes it several.
            _prefix |= !_header.Contains(name);
            if (!_prefix)
            {
                stdout.WriteLine(text);
            }
            else
            {
                _width = Math.Max(_width, name.Length);
                if (!_colours.TryGetValue(name, out var colour)) _colours[name] = colour = Colours[_colours.Count % Colours.Length];
                stdout.WriteLine($"{_terminal.Paint(name.PadRight(_width), colour)} | {text}");
            }
            stdout.Flush();
        }
    }
}
