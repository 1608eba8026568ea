using System.Diagnostics;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary><c>actors completion bash</c>: a script bash accepts, which completes verbs, flags, states and the running node's process names; the zsh script zsh accepts.</summary>
public sealed class CompletionSpec : IAsyncLifetime, IDisposable
{
    private readonly ControlledNode _node = new();
    private string Script => Path.Combine(_node.Dir, "actors.bash");
    private string Bin => Path.Combine(_node.Dir, "bin");

    public CompletionSpec() => _node.WriteConfig($$"""
            db { {{ControlledNode.Sleeper}} }
            web { {{ControlledNode.Sleeper}}, lease { name = "front", folder = "leases" } }
        """);

    public async Task InitializeAsync()
    {
        var script = new StringWriter();
        Assert.Equal(0, await global::Actors.Node.Cli.RunAsync(["completion", "bash"], script, new StringWriter()));
        await File.WriteAllTextAsync(Script, script.ToString());
        // `actors` on PATH, as an installed tool would be: the script asks it for process names.
        Directory.CreateDirectory(Bin);
        var wrapper = Path.Combine(Bin, "actors");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec {string.Join(" ", TestPaths.NodeCommand.Select(a => $"\"{a}\""))} \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task Bash_accepts_the_script()
    {
        var check = await Bash($"bash -n {Script} && echo syntax-ok");
        Assert.Equal("syntax-ok", check.Trim());
    }

    [Fact]
    public async Task Zsh_accepts_its_script()
    {
        var script = new StringWriter();
        Assert.Equal(0, await global::Actors.Node.Cli.RunAsync(["completion", "zsh"], script, new StringWriter()));
        var file = Path.Combine(_node.Dir, "_actors");
        await File.WriteAllTextAsync(file, script.ToString());
        var check = await Bash($"zsh -n {file} && echo syntax-ok");
        Assert.Equal("syntax-ok", check.Trim());
    }

    [Fact]
    public async Task It_completes_verbs_flags_and_wait_states()
    {
        Assert.Equal("start status stop", await Complete("actors", "st"));
        Assert.Equal("reload restart", await Complete("actors", "re"));
        Assert.Equal("ready running", await Complete("actors", "wait", "db", "--until", "r"));
        Assert.Equal("--until", await Complete("actors", "wait", "db", "--un"));
        Assert.Equal("bash", await Complete("actors", "completion", "b"));
    }

    [Fact]
    public async Task It_completes_the_run_to_completion_flags_of_run()
    {
        Assert.Equal("--until-done", await Complete("actors", "run", "--un"));
        Assert.Equal("--exit-code-from", await Complete("actors", "run", "--ex"));
        Assert.Equal("--exit-code-from --replace --until-done", await Complete("actors", "run", "--"));
    }

    [Fact]
    public async Task It_completes_the_process_names_of_the_running_node()
    {
        _node.Start();
        // The lease's name (front) is not a process name.
        Assert.Equal("db", await Complete("actors", "restart", "d"));
        Assert.Equal("db web", await Complete("actors", "logs", ""));
    }

    /// <summary>What the script offers for the last word, sorted, as bash would when Tab is pressed there.</summary>
    private Task<string> Complete(params string[] words)
    {
        var array = string.Join(' ', words.Select(w => $"'{w}'"));
        return Bash($$"""
            source {{Script}}
            COMP_WORDS=({{array}}); COMP_CWORD={{words.Length - 1}}
            _actors
            printf '%s\n' "${COMPREPLY[@]}" | grep -v '^--json$\|^--socket$\|^--config$\|^-n$\|^-f$\|^--all$\|^--watch$' | sort | tr '\n' ' ' | sed 's/ $//'
            """);
    }

    private async Task<string> Bash(string script)
    {
        var info = new ProcessStartInfo("/bin/bash", ["-c", script]) { WorkingDirectory = _node.Dir };
        info.Environment["PATH"] = Bin + ":" + Environment.GetEnvironmentVariable("PATH");
        info.Environment["ACTORS_SOCKET"] = _node.Socket;
        var result = await ChildRun.RunAsync(info, ControlledNode.Patience);
        Assert.True(result.Code == 0, $"bash exit {result.Code}: {result.Err}");
        return result.Out;
    }
}
