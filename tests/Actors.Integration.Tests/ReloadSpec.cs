using System.Text.RegularExpressions;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>Reload applies the difference: unchanged processes keep their pid, a broken file changes nothing.</summary>
public sealed class ReloadSpec : IAsyncLifetime, IDisposable
{
    private readonly ControlledNode _node = new();

    public ReloadSpec()
    {
        _node.WriteConfig($$"""
                keep { {{ControlledNode.Sleeper}} }
                change { {{ControlledNode.Sleeper}} }
                drop { {{ControlledNode.Sleeper}} }
            """);
    }

    // Started here, not in the constructor: xunit disposes the instance (Dispose) even when this fails, but not
    // an instance whose constructor threw, which would leave the node running.
    public Task InitializeAsync()
    {
        _node.Start();
        foreach (var name in new[] { "keep", "change", "drop" }) _node.AwaitState(name, "running");
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _node.Dispose();

    [Fact]
    public void Reload_starts_added_stops_removed_restarts_changed_and_leaves_unchanged_pids_alone()
    {
        var keep = _node.Pid("keep");
        var change = _node.Pid("change");
        _node.WriteConfig($$"""
                keep { {{ControlledNode.Sleeper}} }
                change { {{ControlledNode.Sleeper}}, env { MODE = "new" } }
                add { {{ControlledNode.Sleeper}} }
            """);

        var reload = _node.Cli("reload");
        Assert.True(reload.Code == 0, reload.ToString());
        Assert.Contains("added: add", reload.Out);
        Assert.Contains("removed: drop", reload.Out);
        Assert.Contains("changed: change", reload.Out);
        Assert.Contains("unchanged: 1 process(es)", reload.Out);

        Assert.Equal(keep, _node.Pid("keep"));
        var changed = _node.AwaitState("change", "running");
        Assert.NotEqual(change, changed.GetProperty("pid").GetInt32());
        Assert.Contains("MODE=new", File.ReadAllText($"/proc/{changed.GetProperty("pid").GetInt32()}/environ").Replace('\0', '\n'));
        _node.AwaitState("add", "running");
        var unknown = _node.Cli("status", "drop");
        Assert.Equal(4, unknown.Code);
    }

    [Fact]
    public void A_broken_file_is_rejected_whole_with_every_error_and_nothing_changes()
    {
        var before = _node.Cli("status", "--json").Json.GetProperty("processes").EnumerateArray()
            .Select(p => p.GetProperty("pid").GetInt32()).ToList();
        _node.WriteConfig($$"""
                keep { {{ControlledNode.Sleeper}}, restart = sometimes }
                change { command = "" }
                other { {{ControlledNode.Sleeper}} }
            """);

        var reload = _node.Cli("reload");
        Assert.Equal(2, reload.Code);
        Assert.Matches(new Regex(@"node\.conf:\d+: actors\.processes\.keep\.restart: "), reload.Err);
        Assert.Matches(new Regex(@"node\.conf:\d+: actors\.processes\.change\.command: "), reload.Err);
        Assert.Contains("reload rejected", reload.Err);

        var after = _node.Cli("status", "--json").Json.GetProperty("processes").EnumerateArray()
            .Select(p => p.GetProperty("pid").GetInt32()).ToList();
        Assert.Equal(before, after);
    }

    [Fact]
    public void Sighup_reloads_the_file()
    {
        var keep = _node.Pid("keep");
        _node.WriteConfig($$"""
                keep { {{ControlledNode.Sleeper}} }
                change { {{ControlledNode.Sleeper}} }
                drop { {{ControlledNode.Sleeper}} }
                late { {{ControlledNode.Sleeper}} }
            """);
        _node.Process!.Signal(1);
        _node.Process.AwaitLine("reload applied", ControlledNode.Patience);
        _node.AwaitState("late", "running");
        Assert.Equal(keep, _node.Pid("keep"));
    }
}
