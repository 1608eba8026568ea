using Actors.Configuration;
using Xunit;

namespace Actors.Core.Tests.Configuration;

/// <summary>
/// <see cref="ConfigLoader.LoadNodeFile"/>: what a client verb reads to find the node's socket. It reads and checks
/// actors.node as the whole load does, and nothing of the processes.
/// </summary>
public sealed class NodeOnlyLoadSpec : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_node_read_alone_equals_the_node_of_the_whole_load()
    {
        var path = _temp.Write("""
            actors {
              node { state-dir = "state", log-dir = "logs", shutdown-timeout = 45s, control-socket = "run/ctl.sock", lock.heartbeat-interval = 3s }
              processes { web { command = "/bin/sleep", args = ["1"] } }
            }
            """);

        var whole = ConfigLoader.LoadFile(path);
        var alone = ConfigLoader.LoadNodeFile(path);

        Assert.NotNull(whole.Settings);
        Assert.Null(alone.Settings);
        Assert.Empty(alone.Errors);
        Assert.Equal(whole.Node, alone.Node);
        Assert.Equal(Path.Combine(_temp.Dir, "run", "ctl.sock"), alone.Node!.ControlSocket);
        Assert.Equal(TimeSpan.FromSeconds(3), alone.Node.Lock.HeartbeatInterval);
    }

    [Fact]
    public void Mistakes_in_the_processes_are_not_read()
    {
        var path = _temp.Write("""
            actors {
              node { state-dir = "state" }
              defaults { restart = sometimes }
              processes { web { command = "/bin/sleep", restart = never-ever, bogus-key = 1 } }
            }
            """);

        Assert.NotEmpty(ConfigLoader.LoadFile(path).Errors);
        var alone = ConfigLoader.LoadNodeFile(path);
        Assert.Empty(alone.Errors);
        Assert.Equal(Path.Combine(_temp.Dir, "state", "control.sock"), alone.Node!.ControlSocket);
    }

    [Fact]
    public void Mistakes_in_the_node_are_reported_with_their_key_and_leave_no_node()
    {
        var path = _temp.Write("""
            actors {
              node { state-dirr = "state", shutdown-timeout = soon }
              processes { web { command = "/bin/sleep" } }
            }
            """);

        var alone = ConfigLoader.LoadNodeFile(path);

        Assert.Null(alone.Node);
        Assert.Contains(alone.Errors, e => e.Path == "actors.node.state-dirr" && e.Message.Contains("did you mean state-dir?"));
        Assert.Contains(alone.Errors, e => e.Path == "actors.node.shutdown-timeout" && e.Message.Contains("\"soon\" is not a duration"));
        Assert.All(alone.Errors, e => Assert.StartsWith("actors.node.", e.Path));
    }

    [Fact]
    public void A_file_without_actors_or_with_bad_syntax_is_an_error()
    {
        var missing = ConfigLoader.LoadNodeFile(_temp.Write("actorz { node {} }\n", "missing.conf"));
        Assert.Null(missing.Node);
        Assert.Contains(missing.Errors, e => e.Path == "actors" && e.Message.Contains("did you mean to write actors instead of actorz?"));

        var broken = ConfigLoader.LoadNodeFile(_temp.Write("actors { node { state-dir = \"x\" }\n", "broken.conf"));
        Assert.Null(broken.Node);
        Assert.Contains(broken.Errors, e => e.Message.StartsWith("syntax error"));

        var absent = ConfigLoader.LoadNodeFile(Path.Combine(_temp.Dir, "absent.conf"));
        Assert.Null(absent.Node);
        Assert.Contains(absent.Errors, e => e.Message.Contains("cannot read the configuration file"));
    }
}
