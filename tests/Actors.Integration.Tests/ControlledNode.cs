using System.Diagnostics;
using System.Text.Json;
using Actors.Node;

namespace Actors.Integration.Tests;

/// <summary>The output and exit code of one CLI call.</summary>
public sealed record CliResult(int Code, string Out, string Err)
{
    public JsonElement Json => JsonDocument.Parse(Out).RootElement;
    public override string ToString() => $"exit {Code}\nstdout:\n{Out}\nstderr:\n{Err}";
}

/// <summary>
/// A real node (the <c>actors</c> executable) in a temp folder with its config, driven through the CLI: the
/// CLI's entry point is called in-process (same code, same socket, same exit codes), or spawned for real.
/// </summary>
public sealed class ControlledNode : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60); // a busy machine: bounds for what must happen, hit only on failure

    public string Dir { get; } = Directory.CreateTempSubdirectory("actors-ctl-").FullName;
    public string ConfigPath => Path.Combine(Dir, "node.conf");
    public string Socket => Path.Combine(Dir, ".actors", "control.sock");
    public NodeProcess? Process { get; private set; }

    /// <summary>A process that runs until stopped: a TERM-obeying shell sleeping in a loop.</summary>
    public const string Sleeper = "command = \"/bin/sh\", args = [\"-c\", \"while true; do sleep 0.2; done\"]";

    public void WriteConfig(string processes) =>
        File.WriteAllText(ConfigPath, $"actors {{\n  processes {{\n{processes}\n  }}\n}}\n");

    /// <summary>A config with a node block too (<paramref name="node"/>: the keys inside actors.node).</summary>
    public void WriteConfig(string processes, string node) =>
        File.WriteAllText(ConfigPath, $"actors {{\n  node {{\n{node}\n  }}\n  processes {{\n{processes}\n  }}\n}}\n");

    /// <summary>The HTTP listener's base address as the node reports it (status --json, node.http).</summary>
    public string HttpAddress()
    {
        var result = Cli("status", "--json");
        if (result.Code != 0) throw new InvalidOperationException(result.ToString());
        return result.Json.GetProperty("node").GetProperty("http").GetString()!;
    }

    public ControlledNode Start(IReadOnlyDictionary<string, string>? environment = null)
    {
        Process = NodeProcess.Start(Dir, environment, "run", ConfigPath);
        Process.AwaitLine("control API listening", Patience);
        return this;
    }

    /// <summary>
    /// Starts the node with the command line <paramref name="wrap"/> makes of the usual one (e.g. inside a network
    /// namespace); again after it ended, in the same folder, as its service manager would.
    /// </summary>
    public ControlledNode StartWrapped(Func<ProcessStartInfo, ProcessStartInfo> wrap)
    {
        if (Process is { HasExited: false }) throw new InvalidOperationException($"the node in {Dir} still runs");
        Process?.Dispose();
        Process = NodeProcess.StartWrapped(Dir, wrap, "run", ConfigPath);
        Process.AwaitLine("control API listening", Patience);
        return this;
    }

    public async Task<CliResult> CliAsync(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        // On a pool thread: the CLI uses blocking socket I/O, and concurrent calls must really run at once.
        var code = await Task.Run(() => global::Actors.Node.Cli.RunAsync([args[0], "--socket", Socket, .. args[1..]], stdout, stderr));
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public CliResult Cli(params string[] args) => CliAsync(args).GetAwaiter().GetResult();

    /// <summary>The status of one process, from <c>status NAME --json</c>.</summary>
    public JsonElement Status(string name)
    {
        var result = Cli("status", name, "--json");
        if (result.Code != 0) throw new InvalidOperationException(result.ToString());
        return result.Json.GetProperty("processes")[0];
    }

    public string State(string name) => Status(name).GetProperty("state").GetString()!;

    public int? Pid(string name) => Status(name).GetProperty("pid") is { ValueKind: JsonValueKind.Number } pid ? pid.GetInt32() : null;

    /// <summary>
    /// Checks the status each time the node logs something (every transition is logged), and at least every
    /// 50 ms for what changes without a log line (uptime), until <paramref name="condition"/> holds; bounded.
    /// </summary>
    public JsonElement AwaitStatus(string name, Func<JsonElement, bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        JsonElement last = default;
        while (clock.Elapsed < Patience)
        {
            last = Status(name);
            if (condition(last)) return last;
            Process!.AwaitNextLine(TimeSpan.FromMilliseconds(50));
        }
        throw new TimeoutException($"{name} never {what}; last status: {last}\nnode output:\n{Process?.Output}");
    }

    /// <summary>Waits (bounded) until the process has printed a line containing <paramref name="text"/>.</summary>
    public void AwaitOutput(string name, string text)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            if (Cli("logs", name, "-n", "1000").Out.Contains(text)) return;
            Process!.AwaitNextLine(TimeSpan.FromMilliseconds(50));
        }
        throw new TimeoutException($"{name} never printed '{text}'; node output:\n{Process?.Output}");
    }

    public JsonElement AwaitState(string name, string state) =>
        AwaitStatus(name, s => s.GetProperty("state").GetString() == state, $"reached {state}");

    public void Dispose()
    {
        Process?.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // A process of a failed test may still write there; the temp folder is cleaned by the OS anyway.
        }
    }
}
