namespace Actors.Node.Client;

/// <summary>A command line the user got wrong; printed with the verb's usage, exit 64.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The parsed arguments of one client verb: options (<c>--name VALUE</c>, <c>--name=VALUE</c>, flags) and
/// positional words. Every verb accepts <c>--socket</c>, <c>--config</c> and <c>--json</c>.
/// </summary>
internal sealed class CommandLine
{
    private static readonly string[] CommonValued = ["--socket", "--config"];
    private static readonly string[] CommonFlags = ["--json"];

    private readonly Dictionary<string, string> _values = new();
    private readonly HashSet<string> _flags = new();

    public List<string> Positionals { get; } = new();

    /// <param name="valued">Options that take a value, with their short aliases (e.g. "-n").</param>
    /// <param name="flags">Options without a value.</param>
    public static CommandLine Parse(string[] args, string[]? valued = null, string[]? flags = null)
    {
        var line = new CommandLine();
        var takesValue = CommonValued.Concat(valued ?? []).ToHashSet();
        var isFlag = CommonFlags.Concat(flags ?? []).ToHashSet();
        var onlyPositionals = false;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (onlyPositionals || !arg.StartsWith('-') || arg == "-")
            {
                line.Positionals.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                onlyPositionals = true;
                continue;
            }
            var equals = arg.IndexOf('=');
            var name = equals > 0 ? arg[..equals] : arg;
            if (takesValue.Contains(name))
            {
                var value = equals > 0 ? arg[(equals + 1)..] : i + 1 < args.Length ? args[++i] : throw new UsageException($"{name} needs a value");
                line._values[name] = value;
            }
            else if (isFlag.Contains(name) && equals < 0)
            {
                line._flags.Add(name);
            }
            else
            {
                throw new UsageException($"unknown option {arg}");
            }
        }
        return line;
    }

    public string? Value(string name) => _values.GetValueOrDefault(name);

    public bool Has(string name) => _flags.Contains(name);

    public bool Json => Has("--json");
}
