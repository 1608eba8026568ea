using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Actors.Native;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// The control socket in a folder the operator chose and everyone may write (like /tmp), with a node started
/// under umask 000: the socket is never reachable with a mode wider than 0600, a peer of another uid is
/// refused even where the mode would let it connect, and a link planted at the path is never followed.
/// </summary>
public sealed class ControlSocketSpec : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60); // a busy machine: bounds for what must happen, hit only on failure
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode0777 = (UnixFileMode)0b111_111_111;
    private readonly string _root = Directory.CreateTempSubdirectory("actors-sock-").FullName;
    private readonly List<NodeProcess> _nodes = [];

    private string Public => Path.Combine(_root, "public");
    private string Socket => Path.Combine(Public, "ctl.sock");

    public ControlSocketSpec()
    {
        // Reachable for any user down to the shared folder, as /tmp is.
        File.SetUnixFileMode(_root, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Public);
        File.SetUnixFileMode(Public, Mode0777);
        File.WriteAllText(Path.Combine(_root, "node.conf"), $$"""
            actors.node.control-socket = "{{Socket}}"
            actors.processes.quiet { command = "/bin/sleep", args = ["1000"] }
            """);
    }

    private NodeProcess StartNode()
    {
        var node = NodeProcess.StartWithUmask("000", _root, "run", Path.Combine(_root, "node.conf"));
        _nodes.Add(node);
        return node;
    }

    [Fact]
    public void The_socket_appears_at_its_path_only_by_a_rename_from_a_private_folder_and_is_0600()
    {
        using var watch = FolderWatch.Start(Public);
        var node = StartNode();
        node.AwaitLine("control API listening", Patience);

        var events = watch.Drain();
        // Bound elsewhere and moved in: the name never came into being by a bind in the shared folder.
        Assert.Contains(events, e => e.Name == "ctl.sock" && (e.Mask & LibC.IN_MOVED_TO) != 0);
        Assert.DoesNotContain(events, e => e.Name == "ctl.sock" && (e.Mask & LibC.IN_CREATE) != 0);
        // The only thing created in the shared folder is the private folder, which is gone again.
        Assert.All(events.Where(e => (e.Mask & LibC.IN_CREATE) != 0), e => Assert.True((e.Mask & LibC.IN_ISDIR) != 0, $"{e.Name} created"));
        Assert.Equal(["ctl.sock"], Directory.EnumerateFileSystemEntries(Public).Select(Path.GetFileName));
        Assert.Equal(Mode0600, File.GetUnixFileMode(Socket));
    }

    [Fact]
    public void A_peer_of_another_uid_is_refused_with_a_clear_error_and_logged_even_where_the_mode_lets_it_connect()
    {
        var node = StartNode();
        node.AwaitLine("control API listening", Patience);
        File.SetUnixFileMode(Socket, Mode0777); // as if the mode had been widened: the per-connection check still holds

        var nobody = RunCli(65534, "status", "--socket", Socket);
        Assert.True(nobody.Code == 3, nobody.ToString()); // as for a socket this user may not open
        Assert.Contains("uid 65534", nobody.Err);
        Assert.Contains("may not use this node's control socket", nobody.Err);
        node.AwaitLine("control socket: refused a connection from uid 65534", Patience);

        var owner = RunCli(null, "status", "--socket", Socket);
        Assert.True(owner.Code == 0, owner.ToString());
        Assert.Contains("quiet", owner.Out);
    }

    [Fact]
    public void A_symbolic_link_at_the_socket_path_is_refused_naming_the_path_and_nothing_is_followed()
    {
        var victim = Path.Combine(_root, "victim");
        File.WriteAllText(victim, "precious");
        File.SetUnixFileMode(victim, (UnixFileMode)0b110_100_100);
        File.CreateSymbolicLink(Socket, victim);

        var node = StartNode();
        Assert.Equal(1, node.WaitForExit(Patience));
        Assert.Contains($"{Socket} is a symbolic link", node.Output);
        Assert.DoesNotContain("   at ", node.Output);
        Assert.Equal(victim, new FileInfo(Socket).LinkTarget);
        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(victim));
    }

    /// <summary>The real CLI, as <paramref name="uid"/> (through setpriv) or as the test's own user.</summary>
    private CliResult RunCli(int? uid, params string[] args)
    {
        var info = new ProcessStartInfo(uid is null ? TestPaths.NodeCommand[0] : "/usr/bin/setpriv")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/",
        };
        if (uid is { } id)
            foreach (var arg in new[] { $"--reuid={id}", $"--regid={id}", "--clear-groups", TestPaths.NodeCommand[0] }) info.ArgumentList.Add(arg);
        foreach (var arg in TestPaths.NodeCommand.Skip(1)) info.ArgumentList.Add(arg);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["HOME"] = Public; // the dotnet host may want to write there
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Patience))
        {
            process.Kill();
            throw new TimeoutException($"actors {string.Join(' ', args)} did not exit within {Patience}");
        }
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            if (!node.HasExited) node.Signal(15);
            try { node.WaitForExit(Patience); } catch (TimeoutException) { }
            node.Dispose();
        }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    /// <summary>inotify on one folder: which names were created there and which were moved in.</summary>
    private sealed unsafe class FolderWatch : IDisposable
    {
        private readonly int _fd;

        private FolderWatch(int fd) => _fd = fd;

        public static FolderWatch Start(string folder)
        {
            var fd = LibC.inotify_init1(LibC.O_NONBLOCK | LibC.O_CLOEXEC);
            if (fd < 0) throw new IOException($"inotify_init1: {LibC.ErrorText(Marshal.GetLastPInvokeError())}");
            fixed (byte* p = Encoding.UTF8.GetBytes(folder + "\0"))
            {
                if (LibC.inotify_add_watch(fd, p, LibC.IN_CREATE | LibC.IN_MOVED_TO) < 0)
                {
                    LibC.close(fd);
                    throw new IOException($"inotify_add_watch {folder}: {LibC.ErrorText(Marshal.GetLastPInvokeError())}");
                }
            }
            return new FolderWatch(fd);
        }

        /// <summary>Every event queued so far: struct inotify_event { int wd; u32 mask, cookie, len; char name[len]; }.</summary>
        public List<(uint Mask, string Name)> Drain()
        {
            var events = new List<(uint, string)>();
            var buffer = new byte[64 * 1024];
            fixed (byte* b = buffer)
            {
                nint n;
                while ((n = LibC.read(_fd, b, buffer.Length)) > 0)
                {
                    for (var at = 0; at < n;)
                    {
                        var mask = BitConverter.ToUInt32(buffer, at + 4);
                        var length = (int)BitConverter.ToUInt32(buffer, at + 12);
                        events.Add((mask, Encoding.UTF8.GetString(buffer, at + 16, length).TrimEnd('\0')));
                        at += 16 + length;
                    }
                }
            }
            return events;
        }

        public void Dispose() => LibC.close(_fd);
    }
}
