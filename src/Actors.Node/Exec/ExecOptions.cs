using System.Globalization;
using Actors.Node.Client;

namespace Actors.Node.Exec;

/// <summary>
/// The command line of <c>actors exec</c>, as the user typed it: options up to the first word that is not one
/// (or up to <c>--</c>), then the command and its arguments, untouched. Values stay text here: they are
/// checked by the configuration reader, by the same rules as the keys they stand for (see <see cref="ExecSettings"/>).
/// </summary>
internal sealed record ExecOptions(
    IReadOnlyDictionary<string, string> Values,
    int Retries,
    bool Verbose,
    bool Help,
    string Command,
    IReadOnlyList<string> Args)
{
    /// <summary>The options that take a value, each with the key of a process it sets.</summary>
    public static readonly IReadOnlyDictionary<string, string> Keys = new Dictionary<string, string>
    {
        ["--timeout"] = "timeout.run",
        ["--kill-after"] = "stop.timeout",
        ["--signal"] = "stop.signal",
        ["--retry"] = "retry.max-attempts",
        ["--backoff"] = "retry.backoff",
        ["--budget"] = "retry.budget",
        ["--preset"] = "retry.preset",
        ["--success-codes"] = "success-exit-codes",
        ["--transient-codes"] = "transient-exit-codes",
        ["--permanent-codes"] = "permanent-exit-codes",
    };

    public string? Value(string option) => Values.GetValueOrDefault(option);

    /// <exception cref="UsageException">The line is wrong; the message names the option and says what to write.</exception>
    public static ExecOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>();
        bool verbose = false, help = false;
        var i = 0;
        for (; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                i++;
                break;
            }
            // The first word that is not an option starts the command (as with timeout, env, nice).
            if (!arg.StartsWith('-') || arg == "-") break;
            if (arg is "-v" or "--verbose") verbose = true;
            else if (arg is "-h" or "--help") help = true;
            else
            {
                var equals = arg.IndexOf('=');
                var name = equals > 0 ? arg[..equals] : arg;
                if (!Keys.ContainsKey(name))
                    throw new UsageException($"unknown option {arg}; see 'actors exec --help' (the command goes after the options, or after --)");
                values[name] = equals > 0 ? arg[(equals + 1)..]
                    : i + 1 < args.Count ? args[++i]
                    : throw new UsageException($"{name} needs a value, e.g. {name} {Example(name)}");
            }
        }
        var command = args.Skip(i).ToList();
        if (help) return new ExecOptions(values, 0, verbose, true, "", []);
        if (command.Count == 0 || command[0].Length == 0)
            throw new UsageException("no command given; write it after the options, e.g. actors exec --timeout 30s -- curl -fsS URL");
        return new ExecOptions(values, ParseRetries(values.GetValueOrDefault("--retry")), verbose, false, command[0], command[1..]);
    }

    /// <summary>
    /// Retries, not attempts: <c>--retry 2</c> is three runs at most. Checked here, because the key it sets
    /// (<c>retry.max-attempts</c>) counts differently and its message would confuse.
    /// </summary>
    private static int ParseRetries(string? text)
    {
        if (text is null) return 0;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 1000) return n;
        throw new UsageException($"--retry: \"{text}\" is not a number of retries; use a whole number from 0 to 1000, e.g. --retry 3");
    }

    private static string Example(string option) => option switch
    {
        "--timeout" or "--budget" => "30s",
        "--kill-after" => "10s",
        "--signal" => "TERM",
        "--retry" => "3",
        "--backoff" => "1s..30s",
        "--preset" => "curl",
        _ => "1,2",
    };
}
