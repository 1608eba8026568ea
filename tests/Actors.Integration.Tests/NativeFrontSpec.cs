using System.Diagnostics;
using Actors.Node;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// The published folder's native programs (src/Actors.Client), as the build leaves them beside actors.dll:
/// actors-front (the published <c>actors</c>) and actors-client (the client verbs compiled ahead of time). Each test
/// lays out a folder as the publish does: the front as <c>actors</c>, and beside it the two programs it hands verbs to.
/// </summary>
public sealed class NativeFrontSpec : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly string Built = Path.GetDirectoryName(TestPaths.Node)!;

    /// <summary>Every word that is not a node verb: the client's verbs, help and version in all spellings, and a typo.</summary>
    private static readonly string[] ClientWords =
        ["status", "members", "logs", "start", "stop", "restart", "signal", "scale", "wait", "reload", "shutdown", "completion",
         "version", "--version", "help", "--help", "-h", "bogus", "--socket", ""];

    private readonly string _folder = Directory.CreateTempSubdirectory("actors-front-").FullName;
    private string Front => Path.Combine(_folder, "actors");

    public NativeFrontSpec()
    {
        // A copy, not a link: the front finds its siblings beside the file it is.
        File.Copy(Path.Combine(Built, "actors-front"), Front);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A stand-in for actors-node or actors-client: prints its name and each argument on a line, exits 7.</summary>
    private void FakeProgram(string name) =>
        WriteScript(name, $"printf '%s\\n' {name} \"$@\"\nexit 7");

    private void WriteScript(string name, string body)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>The real programs beside the front: the built client, and the node as the tests run it.</summary>
    private void RealPrograms()
    {
        File.CreateSymbolicLink(Path.Combine(_folder, "actors-client"), Path.Combine(Built, "actors-client"));
        WriteScript("actors-node", "exec " + string.Join(" ", TestPaths.NodeCommand.Select(a => $"'{a}'")) + " \"$@\"");
    }

    private static async Task<ChildRunResult> Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        return await ChildRun.RunAsync(info, Bound);
    }

    [Fact]
    public async Task The_front_hands_each_node_verb_to_actors_node_and_every_other_word_to_actors_client_with_its_arguments_and_exit_code()
    {
        FakeProgram("actors-node");
        FakeProgram("actors-client");
        foreach (var verb in Cli.NodeVerbs)
        {
            var result = await Run(Front, verb, "a b", "--x=\"y\"", "");
            Assert.Equal(7, result.Code);
            Assert.Equal($"actors-node\n{verb}\na b\n--x=\"y\"\n\n", result.Out);
        }
        foreach (var word in ClientWords)
        {
            var result = await Run(Front, word, "c d");
            Assert.Equal(7, result.Code);
            Assert.Equal($"actors-client\n{word}\nc d\n", result.Out);
        }
        var none = await Run(Front);
        Assert.Equal((7, "actors-client\n"), (none.Code, none.Out));
    }

    [Fact]
    public async Task Without_the_program_a_verb_belongs_to_the_front_names_it_and_exits_1()
    {
        FakeProgram("actors-client");
        var result = await Run(Front, "run", "node.conf");
        Assert.Equal(1, result.Code);
        Assert.Equal("", result.Out);
        Assert.Contains($"cannot run {Path.Combine(_folder, "actors-node")}: No such file or directory", result.Err);
        Assert.Contains($"it belongs beside {Front}, as README.md", result.Err);
    }

    [Fact]
    public async Task The_native_client_answers_as_the_dotnet_client_does_where_no_node_is_needed()
    {
        var client = Path.Combine(Built, "actors-client");
        var config = Path.Combine(_folder, "broken.conf");
        await File.WriteAllTextAsync(config, "actors { node { control-socket = 42x } processes { a { command = \"/bin/true\" } }\n");
        var nowhere = Path.Combine(_folder, "nowhere.sock");
        string[][] calls =
        [
            ["version"], ["help"], ["bogus"], [],
            ["stop"], ["stop", "a", "--all", "--socket", nowhere], ["status", "--unknown"],
            ["status", "--socket", nowhere], ["stop", "a", "--socket", nowhere],
            ["status", "--config", config], ["wait", "a", "--until", "sleeping", "--socket", nowhere],
            ["scale", "a", "0", "--socket", nowhere], ["completion", "bash"],
        ];
        foreach (var args in calls)
        {
            var native = await Run(client, args);
            var dotnet = await ChildRun.RunAsync(TestPaths.Actors(args), Bound);
            Assert.Equal((dotnet.Code, dotnet.Out, dotnet.Err), (native.Code, native.Out, native.Err));
        }
    }

    [Fact]
    public async Task A_node_run_through_the_front_keeps_its_pid_and_the_native_client_stops_starts_and_waits_for_its_processes()
    {
        RealPrograms();
        using var node = new ControlledNode();
        node.WriteConfig($"  a {{ {ControlledNode.Sleeper} }}\n  b {{ {ControlledNode.Sleeper} }}");
        node.StartWrapped(usual =>
        {
            var info = new ProcessStartInfo("/usr/bin/env") { WorkingDirectory = usual.WorkingDirectory };
            foreach (var arg in new[] { usual.ArgumentList[0], Front, "run", node.ConfigPath }) info.ArgumentList.Add(arg);
            info.RedirectStandardOutput = info.RedirectStandardError = true;
            return info;
        });
        node.AwaitState("a", "running");
        Assert.Equal(node.Process!.Pid, node.Cli("status", "--json").Json.GetProperty("node").GetProperty("pid").GetInt32());

        var stop = await Run(Front, "stop", "--all", "--config", node.ConfigPath);
        Assert.Equal((0, ""), (stop.Code, stop.Err));
        Assert.Equal(["a: stopped", "b: stopped"], stop.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.Equal("stopped", node.Status("b").GetProperty("state").GetString());

        var start = await Run(Front, "start", "b", "--config", node.ConfigPath);
        Assert.Equal(0, start.Code);
        Assert.StartsWith("b: running (pid ", start.Out);
        var wait = await Run(Front, "wait", "b", "--until", "running", "--timeout", "60s", "--config", node.ConfigPath);
        Assert.Equal(0, wait.Code);
        var status = await Run(Front, "status", "--json", "--config", node.ConfigPath);
        Assert.Equal(0, status.Code);
        var states = System.Text.Json.JsonDocument.Parse(status.Out).RootElement.GetProperty("processes").EnumerateArray()
            .Select(p => (p.GetProperty("name").GetString(), p.GetProperty("state").GetString()));
        Assert.Equal([("a", "stopped"), ("b", "running")], states);
    }
}
