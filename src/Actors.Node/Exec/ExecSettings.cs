using System.Globalization;
using System.Text;
using Actors.Configuration;
using Actors.Node.Client;

namespace Actors.Node.Exec;

/// <summary>
/// Turns the options of <c>actors exec</c> into the <see cref="ProcessSettings"/> of one job, through the same
/// configuration reader as a node's file: each option becomes the key it stands for, in HOCON text layered over
/// reference.conf. So an exec runs exactly like a <c>kind = job</c> process with those keys (same defaults, same
/// preset lists, same checks), and a bad value gets the reader's message, told under the option's name.
/// </summary>
internal static class ExecSettings
{
    /// <exception cref="UsageException">An option's value is invalid; the message names the option.</exception>
    public static ProcessSettings Build(ExecOptions options, string workingDir)
    {
        var result = ConfigLoader.LoadText(Hocon(options), null, workingDir);
        if (!result.IsValid)
            throw new UsageException(string.Join("\n", result.Errors.Select(e => Describe(e, options))));
        var settings = result.Settings!.Processes.Single();
        // argv as typed: no path resolution, no shell; the launcher finds the program on PATH at each start.
        return settings with { Command = options.Command, Args = options.Args };
    }

    /// <summary>The job's name: only the supervisor's own messages use it (the child's environment is exec's own).</summary>
    public const string Name = "exec";

    private static string Hocon(ExecOptions options)
    {
        var attempts = options.Retries + 1;
        var text = new StringBuilder();
        // exec has no node: no state-dir, socket or log is ever made. These only keep the node section valid
        // (a socket path under a deep working folder could exceed the unix limit).
        text.AppendLine("actors.node { state-dir = \"/\", log-dir = \"/\" }");
        text.AppendLine($"actors.processes.{Name} {{");
        text.AppendLine($"  command = {Quote(options.Command)}");
        text.AppendLine("  kind = job");
        text.AppendLine("  restart = on-failure");
        text.AppendLine("  log.file = \"/dev/null\"");
        text.AppendLine(CultureInfo.InvariantCulture, $"  retry.max-attempts = {attempts}");
        // The node's start limit must never cut the retries short: retry.max-attempts alone decides.
        text.AppendLine(CultureInfo.InvariantCulture, $"  start-limit {{ burst = {attempts + 1}, interval = 3650d }}");
        foreach (var (option, key) in ExecOptions.Keys)
        {
            if (option == "--retry" || options.Value(option) is not { } value) continue;
            text.AppendLine(key.EndsWith("exit-codes", StringComparison.Ordinal)
                ? $"  {key} = [{string.Join(", ", value.Split(',', StringSplitOptions.TrimEntries).Select(Quote))}]"
                : $"  {key} = {Quote(value)}");
        }
        text.AppendLine("}");
        return text.ToString();
    }

    /// <summary>"--timeout: "abc" is not a duration; use e.g. 500ms, 1s, 2m", or the key's path for a rule across keys.</summary>
    private static string Describe(ConfigProblem problem, ExecOptions options)
    {
        const string prefix = $"actors.processes.{Name}.";
        var key = problem.Path.StartsWith(prefix, StringComparison.Ordinal) ? problem.Path[prefix.Length..] : problem.Path;
        var option = ExecOptions.Keys.FirstOrDefault(kv => kv.Value == key).Key;
        return option is not null && options.Value(option) is not null
            ? $"{option}: {problem.Message}"
            : $"{key}: {problem.Message}";
    }

    /// <summary>A HOCON quoted string (JSON rules): whatever the user typed stays one literal value.</summary>
    private static string Quote(string value)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\') quoted.Append('\\').Append(c);
            else if (c < ' ') quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else quoted.Append(c);
        }
        return quoted.Append('"').ToString();
    }
}
