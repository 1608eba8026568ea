using System.Diagnostics;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// check-config run by a user that is not root (nobody, through util-linux's setpriv, as the tests run as root): what
/// such a node could not grant is refused at its key.
/// </summary>
public sealed class NonRootExecCheckSpec : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-nonroot-").FullName;

    public NonRootExecCheckSpec()
    {
        // nobody must be able to read the file (and enter its folder).
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_node_that_is_not_root_is_refused_another_user_group_a_higher_priority_and_a_higher_hard_limit()
    {
        var config = Path.Combine(_dir, "node.conf");
        await File.WriteAllTextAsync(config, """
            actors.processes {
              other { command = "/bin/sleep", args = ["1"], user = root, group = root, nice = -5, oom-score-adjust = -100, limits { nofile = "10:infinity" } }
              itself { command = "/bin/sleep", args = ["1"], user = nobody, nice = 3, oom-score-adjust = 100, limits { nofile = 100 } }
            }
            """);
        File.SetUnixFileMode(config, (UnixFileMode)0b110_100_100);
        var info = new ProcessStartInfo("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", .. TestPaths.NodeCommand, "check-config", config]);
        info.Environment["HOME"] = _dir;
        info.Environment["DOTNET_CLI_HOME"] = _dir;

        var result = await ChildRun.RunAsync(info, TimeSpan.FromMinutes(2));

        Assert.True(result.Code == 2, $"{result.Code}\n{result.Out}\n{result.Err}");
        var problems = (result.Out + result.Err).Split('\n').Where(l => l.StartsWith(config + ":2: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, problems.Count);
        Assert.Contains(problems, p => p.Contains("actors.processes.other.user: the node does not run as root (uid 65534), so it can run processes only as itself, not as root (uid 0)"));
        Assert.Contains(problems, p => p.Contains("actors.processes.other.group: the node does not run as root and is not in group root (gid 0)"));
        Assert.Contains(problems, p => p.Contains("actors.processes.other.nice: -5 needs a node running as root"));
        Assert.Contains(problems, p => p.Contains("actors.processes.other.oom-score-adjust: -100 is below the node's own oom-score-adjust"));
        Assert.Contains(problems, p => p.Contains("actors.processes.other.limits.nofile: the hard limit infinity is above the node's own"));
        Assert.DoesNotContain("actors.processes.itself", result.Out + result.Err);
    }
}
