using System.Diagnostics;
using System.Runtime.InteropServices;
using Actors.Native;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// A node run by an ordinary user (nobody, through util-linux's setpriv, as the tests run as root): the kernel counts
/// that user's pipe pages against fs.pipe-user-pages-soft, and past it gives every new pipe of the user 8 KiB. Many
/// children must each keep a default pipe, and a child that prints fast still gets a big one.
/// </summary>
public sealed class NonRootPipesSpec : IDisposable
{
    private const int Sleepers = 100;
    private readonly ControlledNode _node = new();

    public NonRootPipesSpec()
    {
        _node.WriteConfig($$"""
                sleeper { command = "/bin/sleep", args = ["100000"], replicas = {{Sleepers}} }
                burst {
                  command = "/usr/bin/perl"
                  args = ["-e", "syswrite(STDOUT, ('x' x 262143) . qq(\n)); sleep 100000"]
                }
            """);
        Chown(_node.Dir);
    }

    public void Dispose() => _node.Dispose();

    [Fact]
    public void A_hundred_children_of_a_node_that_is_not_root_each_get_a_64_KiB_pipe_and_the_one_that_fills_its_pipe_gets_1_MiB()
    {
        _node.StartWrapped(AsNobody);
        var pids = new Dictionary<string, int>();
        Assert.True(Poll.Until(() => (pids = RunningPids()).Count == Sleepers + 1, ControlledNode.Patience, intervalMs: 200), $"{pids.Count} running\n{_node.Process!.Output}");
        var burstLog = Path.Combine(_node.Dir, ".actors", "logs", "burst.log");
        Assert.True(Poll.Until(() => new FileInfo(burstLog).Length == 262144, ControlledNode.Patience), "the burst was logged");

        var sleepers = pids.Where(p => p.Key.StartsWith("sleeper-", StringComparison.Ordinal)).ToList();
        Assert.Equal(Sleepers, sleepers.Count);
        Assert.All(sleepers, p => Assert.True(StdoutPipeSize(p.Value) == 64 * 1024, $"{p.Key}: a pipe of {StdoutPipeSize(p.Value)} bytes"));
        Assert.Equal(1 << 20, StdoutPipeSize(pids["burst"]));
        Assert.Equal("65534", File.ReadAllLines($"/proc/{_node.Process!.Pid}/status").Single(l => l.StartsWith("Uid:")).Split('\t')[1]);
    }

    /// <summary>The pid of every process that runs, by name.</summary>
    private Dictionary<string, int> RunningPids() =>
        _node.Cli("status", "--json").Json.GetProperty("processes").EnumerateArray()
            .Where(p => p.GetProperty("state").GetString() == "running")
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("pid").GetInt32());

    private static ProcessStartInfo AsNobody(ProcessStartInfo info)
    {
        var wrapped = new ProcessStartInfo("/usr/bin/setpriv")
        {
            WorkingDirectory = info.WorkingDirectory,
            RedirectStandardOutput = info.RedirectStandardOutput,
            RedirectStandardError = info.RedirectStandardError,
        };
        foreach (var arg in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "--", info.FileName }.Concat(info.ArgumentList))
            wrapped.ArgumentList.Add(arg);
        foreach (var (key, value) in info.Environment) wrapped.Environment[key] = value;
        wrapped.Environment["HOME"] = info.WorkingDirectory;
        return wrapped;
    }

    private static void Chown(string dir)
    {
        using var chown = Process.Start("/bin/chown", ["-R", "65534:65534", dir])!;
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }

    /// <summary>The size of the pipe that is <paramref name="pid"/>'s stdout, through a second write end opened by its /proc path.</summary>
    private static int StdoutPipeSize(int pid)
    {
        int fd = LibC.open($"/proc/{pid}/fd/1", LibC.O_WRONLY | LibC.O_CLOEXEC, 0);
        Assert.True(fd >= 0, $"open /proc/{pid}/fd/1: {LibC.ErrorText(Marshal.GetLastPInvokeError())}");
        try { return LibC.fcntl(fd, LibC.F_GETPIPE_SZ, 0); }
        finally { LibC.close(fd); }
    }
}
