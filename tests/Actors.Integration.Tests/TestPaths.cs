namespace Actors.Integration.Tests;

/// <summary>Where the programs under test are: the TestDummy and the node, built by the same solution build.</summary>
public static class TestPaths
{
    /// <summary>The dotnet host running these tests (the test host sets DOTNET_HOST_PATH).</summary>
    public static string DotnetHost { get; } = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Debug or Release, as this test assembly was built.</summary>
    private static string Configuration { get; } = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    public static string TestDummy { get; } = Built("tests/Actors.TestDummy", "Actors.TestDummy.dll");

    public static string Node { get; } = Built("src/Actors.Node", "actors.dll");

    /// <summary>
    /// A published <c>actors</c> (the README's publish command writes out/actors) when ACTORS_TEST_NODE names one, so
    /// that these tests check the build users run (trimmed, ReadyToRun: see Actors.Node.csproj); else null.
    /// </summary>
    public static string? PublishedNode { get; } = Environment.GetEnvironmentVariable("ACTORS_TEST_NODE") is { Length: > 0 } path
        ? File.Exists(path) ? Path.GetFullPath(path) : throw new FileNotFoundException($"ACTORS_TEST_NODE={path}: no such file; publish the node first", path)
        : null;

    /// <summary>The command line that runs the node: the published program, or the dotnet host with the built actors.dll.</summary>
    public static IReadOnlyList<string> NodeCommand { get; } = PublishedNode is { } published ? [published] : [DotnetHost, Node];

    /// <summary>
    /// Runs <c>actors</c> with <paramref name="args"/>, SIGHUP, SIGINT and SIGQUIT at their default dispositions: a test run
    /// started in the background of a shell (or under nohup) inherits them ignored, and a process that starts with one ignored
    /// never sees the signal some tests send. env resets them and execs in place, so the pid is the node's own.
    /// </summary>
    public static System.Diagnostics.ProcessStartInfo Actors(params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("/usr/bin/env");
        foreach (var arg in new[] { "--default-signal=HUP,INT,QUIT" }.Concat(NodeCommand).Concat(args)) info.ArgumentList.Add(arg);
        return info;
    }

    private static string Built(string project, string file)
    {
        var path = Path.Combine(RepositoryRoot, project, "bin", Configuration, "net10.0", file);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: build the solution (dotnet build Actors.sln) first", path);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Actors.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no Actors.sln above {AppContext.BaseDirectory}");
    }
}
