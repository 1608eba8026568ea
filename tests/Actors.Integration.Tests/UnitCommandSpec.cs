using System.Diagnostics;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary><c>actors unit</c>: a unit systemd itself accepts, whose ExecReload really reloads the running node.</summary>
public sealed class UnitCommandSpec : IAsyncLifetime, IDisposable
{
    private readonly ControlledNode _node = new();

    public UnitCommandSpec() => _node.WriteConfig($"  worker {{ {ControlledNode.Sleeper} }}");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task The_unit_is_Type_notify_with_a_watchdog_and_systemd_analyze_verify_accepts_it()
    {
        var (code, unit, err) = await Run(TestPaths.Actors("unit", _node.ConfigPath, "--user", "svc"));
        Assert.True(code == 0, err);
        var lines = unit.Split('\n');
        foreach (var expected in new[] { "Type=notify", "NotifyAccess=main", "KillMode=mixed", "WatchdogSec=30s", "User=svc",
                     "TimeoutStopSec=45s", $"WorkingDirectory={_node.Dir}", "RestartPreventExitStatus=2 5", "WantedBy=multi-user.target" })
            Assert.Contains(expected, lines);
        // The program as it was started: `dotnet …/actors.dll`, or a published `actors` itself (ACTORS_TEST_NODE).
        var program = TestPaths.PublishedNode is null ? "actors.dll" : "/actors";
        Assert.Contains(lines, l => l.StartsWith("ExecStart=") && l.EndsWith($"{program} run {_node.ConfigPath}"));
        Assert.Contains(lines, l => l.StartsWith("ExecReload=") && l.EndsWith($"{program} reload --socket {_node.Socket}"));

        var file = Path.Combine(_node.Dir, "actors-test.service");
        await File.WriteAllTextAsync(file, unit.Replace("User=svc\n", "")); // verify looks the user up
        var verify = await Run(new ProcessStartInfo("systemd-analyze", ["verify", file]));
        Assert.True(verify.Code == 0 && verify.Err.Trim() == "", $"systemd-analyze verify: exit {verify.Code}\n{verify.Err}");
    }

    [Fact]
    public async Task The_units_ExecReload_reloads_the_running_node()
    {
        _node.Start();
        var (_, unit, _) = await Run(TestPaths.Actors("unit", _node.ConfigPath));
        // The paths here hold no spaces, so the command line splits on them as systemd would.
        var reload = unit.Split('\n').Single(l => l.StartsWith("ExecReload="))["ExecReload=".Length..].Split(' ');
        var result = await Run(new ProcessStartInfo(reload[0], reload[1..]));
        Assert.True(result.Code == 0, result.Err);
        _node.Process!.AwaitLine("reload applied", ControlledNode.Patience);
    }

    [Fact]
    public async Task An_invalid_config_prints_no_unit_and_exits_2()
    {
        await File.WriteAllTextAsync(_node.ConfigPath, "actors { processes { w { command = 5s, restart = sometimes } } }");
        var (code, unit, err) = await Run(TestPaths.Actors("unit", _node.ConfigPath));
        Assert.Equal(2, code);
        Assert.Equal("", unit);
        Assert.Contains("restart", err);
        Assert.Contains("no unit printed", err);
    }

    private static async Task<(int Code, string Out, string Err)> Run(ProcessStartInfo info)
    {
        var result = await ChildRun.RunAsync(info, ControlledNode.Patience);
        return (result.Code, result.Out, result.Err);
    }
}
