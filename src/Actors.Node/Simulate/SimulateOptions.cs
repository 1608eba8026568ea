using System.Globalization;
using Actors.Configuration;
using Actors.Supervision;
using Actors.TestKit;
using Actors.Node.Client;

namespace Actors.Node.Simulate;

/// <summary>The command line of <c>actors simulate</c>, read and checked (all but the names, which need the config).</summary>
internal sealed record SimulateOptions(
    string Config,
    TimeSpan For,
    int Seed,
    IReadOnlyList<(string Name, string Text, Behaviour Behaviour)> Behaviours,
    IReadOnlyList<(string Name, ProcessState State)> Expectations,
    bool Json)
{
    public static readonly TimeSpan DefaultFor = TimeSpan.FromHours(24);

    /// <summary>The longest simulation: a year of virtual time.</summary>
    private static readonly TimeSpan Longest = TimeSpan.FromDays(366);

    private static readonly ProcessState[] States = Enum.GetValues<ProcessState>();

    /// <exception cref="UsageException">The line is wrong; the message names the flag and the value.</exception>
    public static SimulateOptions Parse(string[] args)
    {
        string? config = null;
        var length = DefaultFor;
        int seed = 1;
        bool json = false;
        var behaviours = new List<(string, string, Behaviour)>();
        var expectations = new List<(string, ProcessState)>();
        for (int i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string? inline = null;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=') is var eq and > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Value() => inline ?? (i + 1 < args.Length ? args[++i] : throw new UsageException($"{arg} needs a value, e.g. {arg} {Example(arg)}"));
            switch (arg)
            {
                case "--for":
                    length = Duration(Value());
                    break;
                case "--seed":
                    var text = Value();
                    if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seed))
                        throw new UsageException($"--seed: \"{text}\" is not a whole number; use e.g. --seed 42");
                    break;
                case "--behave":
                    var (name, behaviour) = Pair(arg, Value(), "NAME=\"exit 1 after 40s\"");
                    try
                    {
                        behaviours.Add((name, behaviour, Behaviour.Parse(behaviour)));
                    }
                    catch (FormatException e)
                    {
                        throw new UsageException($"--behave {name}=\"{behaviour}\": {e.Message}");
                    }
                    break;
                case "--expect":
                    var (process, state) = Pair(arg, Value(), "NAME=running");
                    var known = States.Where(s => s.ToDisplay() == state.Trim().ToLowerInvariant()).ToList();
                    if (known.Count == 0)
                        throw new UsageException($"--expect {process}={state}: unknown state \"{state}\"; use one of {string.Join(", ", States.Select(s => s.ToDisplay()))}");
                    expectations.Add((process, known[0]));
                    break;
                case "--json":
                    if (inline is not null) throw new UsageException("--json takes no value");
                    json = true;
                    break;
                default:
                    if (arg.StartsWith('-') && arg != "-")
                        throw new UsageException($"unknown option {args[i]}; see 'actors simulate --help'");
                    if (config is not null)
                        throw new UsageException($"one CONFIG only: got {config} and {arg}");
                    config = arg;
                    break;
            }
        }
        if (config is null) throw new UsageException("no CONFIG given; e.g. actors simulate node.conf --for 24h");
        return new SimulateOptions(config, length, seed, behaviours, expectations, json);
    }

    private static (string Name, string Value) Pair(string flag, string text, string example)
    {
        var eq = text.IndexOf('=');
        if (eq <= 0) throw new UsageException($"{flag} \"{text}\": write {flag} {example}");
        return (text[..eq].Trim(), text[(eq + 1)..]);
    }

    private static TimeSpan Duration(string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            throw new UsageException($"--for: duration \"{text}\" has no unit; write e.g. --for {text}h (ms, s, m, h, d)");
        if (!HoconScalars.TryDuration(text, out var duration) || duration <= TimeSpan.Zero || duration > Longest)
            throw new UsageException($"--for: \"{text}\" is not a duration from 1ms to 366d; write e.g. --for 24h");
        return duration;
    }

    private static string Example(string flag) => flag switch
    {
        "--for" => "24h",
        "--seed" => "42",
        "--behave" => "worker=\"exit 1 after 40s\"",
        "--expect" => "web=running",
        _ => "VALUE",
    };
}
