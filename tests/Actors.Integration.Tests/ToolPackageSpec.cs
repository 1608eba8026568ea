using System.Diagnostics;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// The node as a .NET tool: packed from this build, installed from that package alone into a clean folder (a
/// nuget.config that clears every other source keeps it offline), and run from there.
/// </summary>
public sealed class ToolPackageSpec : IDisposable
{
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(5); // pack and install on a busy machine
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-tool-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_packed_tool_installs_into_a_clean_folder_with_its_exec_shim_and_runs_as_actors()
    {
        var feed = Path.Combine(_dir, "nupkg");
        var configuration = new DirectoryInfo(Path.GetDirectoryName(TestPaths.Node)!).Parent!.Name; // Debug or Release, as built
        var pack = await Run(TestPaths.DotnetHost, "pack", Path.Combine(TestPaths.RepositoryRoot, "src", "Actors.Node"),
            "-c", configuration, "--no-build", "-o", feed);
        Assert.True(pack.Code == 0, pack.Output);
        var package = Assert.Single(Directory.GetFiles(feed, "*.nupkg"));
        Assert.StartsWith("Actors.Node.", Path.GetFileName(package));

        var config = Path.Combine(_dir, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources><clear /><add key="local" value="{feed}" /></packageSources>
            </configuration>
            """);
        var tools = Path.Combine(_dir, "tools");
        var install = await Run(TestPaths.DotnetHost, "tool", "install", "--tool-path", tools, "--configfile", config, "--add-source", feed, "Actors.Node");
        Assert.True(install.Code == 0, install.Output);

        var actors = Path.Combine(tools, "actors");
        var version = await Run(actors, "version");
        Assert.True(version.Code == 0, version.Output);
        Assert.Matches(@"^actors \d+\.\d+\.\d+", version.Output);
        // The exec shim (user, umask, limits...) travels in the package, beside the tool's assemblies.
        Assert.Single(Directory.GetFiles(Path.Combine(tools, ".store"), "actors-exec", SearchOption.AllDirectories));
        var completion = await Run(actors, "completion", "bash");
        Assert.True(completion.Code == 0, completion.Output);
        Assert.Contains("complete -F _actors actors", completion.Output);
    }

    private static async Task<(int Code, string Output)> Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program, args);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        // The tool's apphost finds the runtime the tests run on.
        info.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(TestPaths.DotnetHost) is { Length: > 0 } root ? root : "/usr/share/dotnet";
        var result = await ChildRun.RunAsync(info, Slow);
        return (result.Code, result.Out + result.Err);
    }
}
