using System.Diagnostics;
using Actors.Processes;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// Issue 11, item 6, below the node: the <see cref="WatchdogLink"/> with a stand-in watchdog (a <c>cat</c> into a
/// file per instance, so the test sees what each one was told), and <see cref="Watchdog.Run"/> when its pipe closes
/// while its node still runs.
/// </summary>
public sealed class WatchdogLinkSpec : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-wdlink-").FullName;
    private readonly List<(int Pid, long StartTime)> _spawned = new();
    private readonly List<Process> _started = new();
    private readonly List<string> _warnings = new();
    private WatchdogLink? _link;

    public Task InitializeAsync() => Task.CompletedTask;

    private WatchdogLink StartLink()
    {
        // "$$" is the shell's pid, which exec hands to cat: one file per watchdog, named by its pid.
        string[] argv = ["/bin/sh", "-c", "exec cat > \"$0/$$.lines\"", _dir];
        _link = WatchdogLink.Start(argv, ["PATH=/usr/bin:/bin"], Warn, pipeBytes: 4096, stallTimeout: TimeSpan.FromSeconds(2))!;
        Remember(_link.Pid);
        return _link;
    }

    private void Warn(string warning)
    {
        lock (_warnings) _warnings.Add(warning);
    }

    private string Warnings()
    {
        lock (_warnings) return string.Join("\n", _warnings);
    }

    private void Remember(int pid)
    {
        if (ProcStat.ReadStartTime(pid) is { } start) _spawned.Add((pid, start));
    }

    private void Signal(int pid, string signal)
    {
        foreach (var (p, start) in _spawned)
            if (p == pid && ProcStat.Matches(p, start)) Process.Start("kill", [$"-{signal}", p.ToString()])!.WaitForExit();
    }

    // The shell creates the file once it runs: none yet is nothing told yet.
    private string[] LinesTold(int pid) => File.Exists(Path.Combine(_dir, $"{pid}.lines")) ? File.ReadAllLines(Path.Combine(_dir, $"{pid}.lines")) : [];

    private int AwaitReplacement(WatchdogLink link, int old)
    {
        Assert.True(SpinWait.SpinUntil(() => link.Pid != old && link.Pid != 0, Patience), $"watchdog {old} never replaced\n{Warnings()}");
        Remember(link.Pid);
        return link.Pid;
    }

    [Fact]
    public async Task A_link_never_blocks_its_caller_on_a_stopped_watchdog_and_tells_the_one_that_replaces_it_every_current_group()
    {
        var link = StartLink();
        var first = link.Pid;
        Signal(first, "STOP");

        // 2,000 lines of about 25 bytes: a dozen one-page pipes. A blocking write would never return.
        var calls = Task.Run(() =>
        {
            for (int pid = 100_000; pid < 101_000; pid++) link.Added($"p{pid}", pid, 7);
            for (int pid = 100_000; pid < 101_000; pid += 2) link.Removed(pid, 7);
        });
        Assert.Same(calls, await Task.WhenAny(calls, Task.Delay(Patience))); // else the calls blocked

        var second = AwaitReplacement(link, first);
        // What the new one holds once it read everything (lines sent after it took over are applied in order).
        var expected = Enumerable.Range(100_000, 1000).Where(p => p % 2 == 1).Select(p => $"{p} 7 p{p}").ToList();
        Assert.True(SpinWait.SpinUntil(() => Listed(LinesTold(second)).SequenceEqual(expected), Patience),
            $"the new watchdog holds {Listed(LinesTold(second)).Count} groups, not the 500 current ones");
        Assert.Contains($"the watchdog (pid {first}) has read nothing", Warnings());
        Assert.Contains($"watchdog pid {second} replaces pid {first}, told of 500 group(s)", Warnings());
    }

    [Fact]
    public void A_watchdog_that_dies_is_replaced_though_nothing_is_written_and_the_new_one_is_told_every_group()
    {
        var link = StartLink();
        var first = link.Pid;
        link.Added("web", 4242, 7);
        Signal(first, "KILL");

        // No write after the kill: the link notices on its own (a quiet node would otherwise go unguarded).
        var second = AwaitReplacement(link, first);
        Assert.True(SpinWait.SpinUntil(() => LinesTold(second).Contains("+4242 7 web"), Patience), "the new watchdog was not told");
        Assert.Contains($"the watchdog (pid {first}) is gone (ended by signal SIGKILL (9))", Warnings());

        link.Removed(4242, 7);
        link.Dispose();
        Assert.Equal(["+4242 7 web", "-4242 7", Watchdog.EndLine], LinesTold(second));
    }

    [Fact]
    public void A_replacement_watchdog_is_told_each_lease_before_the_groups_and_each_group_with_its_fence()
    {
        var link = StartLink();
        var first = link.Pid;
        var killAt = System.Diagnostics.Stopwatch.GetTimestamp() + 60 * System.Diagnostics.Stopwatch.Frequency;
        var killAtMs = WatchdogProtocol.MonotonicMs(killAt);
        link.Renewed("db", killAt);
        link.Added("db", 4242, 7);
        link.Fenced(4242, 7, new DeadManFence("db", 15, TimeSpan.FromMilliseconds(1500)));
        link.Added("web", 4343, 8);
        Assert.True(SpinWait.SpinUntil(() => LinesTold(first).Length == 4, Patience), "the first watchdog was told");
        Assert.Equal([$"~db {killAtMs}", "+4242 7 db", "&4242 7 db 15 1500", "+4343 8 web"], LinesTold(first));
        Signal(first, "KILL");

        var second = AwaitReplacement(link, first);
        Assert.True(SpinWait.SpinUntil(() => LinesTold(second).Length == 4, Patience), "the new watchdog was not told");
        // The lease first: a fenced group is never seen without its kill time (it would count as overdue).
        Assert.Equal($"~db {killAtMs}", LinesTold(second)[0]);
        var groups = LinesTold(second).Skip(1).ToList();
        Assert.Equal(["&4242 7 db 15 1500", "+4242 7 db", "+4343 8 web"], groups.Order(StringComparer.Ordinal));
        // Each fence right after its group's line: the watchdog fences only a group it lists.
        Assert.Equal(groups.IndexOf("+4242 7 db") + 1, groups.IndexOf("&4242 7 db 15 1500"));

        // A group gone takes its fence along: the next replacement is not told of it.
        link.Removed(4242, 7);
        Signal(second, "KILL");
        var third = AwaitReplacement(link, second);
        Assert.True(SpinWait.SpinUntil(() => LinesTold(third).Length == 2, Patience), "the third watchdog was not told");
        Assert.Equal([$"~db {killAtMs}", "+4343 8 web"], LinesTold(third));
    }

    [Fact]
    public unsafe void A_write_to_a_pipe_whose_reader_is_gone_fails_with_EPIPE_and_does_not_kill_the_process()
    {
        // What the link relies on: .NET ignores SIGPIPE, so the node learns of a dead watchdog from the write's error.
        int* fds = stackalloc int[2];
        Assert.Equal(0, Actors.Native.LibC.pipe2(fds, Actors.Native.LibC.O_CLOEXEC));
        Actors.Native.LibC.close(fds[0]);
        byte b = (byte)'x';
        var written = Actors.Native.LibC.write(fds[1], &b, 1);
        var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        Actors.Native.LibC.close(fds[1]);
        Assert.Equal(-1, written);
        Assert.Equal(32, errno); // EPIPE; and this test process is still here to say so
    }

    /// <summary>The groups a watchdog holds after reading <paramref name="lines"/>, as "PID START NAME", by pid.</summary>
    private static List<string> Listed(string[] lines)
    {
        var groups = new SortedDictionary<int, string>();
        foreach (var line in lines)
        {
            var parts = line.Split(' ', 3);
            if (parts.Length < 2 || !int.TryParse(parts[0].AsSpan(1), out var pid)) continue;
            if (line[0] == '+') groups[pid] = line[1..];
            else if (line[0] == '-') groups.Remove(pid);
        }
        return groups.Values.ToList();
    }

    [Fact]
    public async Task A_watchdog_whose_pipe_closes_while_its_node_runs_kills_nothing_until_the_node_ends()
    {
        var node = Start("/bin/sleep", "1000"); // stands in for the node: only its pid and start time matter
        var nodeStart = ProcStat.ReadStartTime(node.Id)!.Value;
        var child = Start("/usr/bin/setsid", "/bin/sh", "-c", "sleep 1000 & wait");
        Assert.True(SpinWait.SpinUntil(() => LiveMembers(child.Id) == 2, Patience), "the shell and its sleep");
        var lines = $"+{child.Id} {ProcStat.ReadStartTime(child.Id)} web\n"; // no end line: what a replaced watchdog reads
        var text = new StringWriter();
        var log = TextWriter.Synchronized(text);
        string Logged() { lock (log) return text.ToString(); } // the synchronized writer locks itself

        var run = Task.Run(() => Watchdog.Run(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(lines)), log, node.Id, nodeStart));
        Assert.True(SpinWait.SpinUntil(() => Logged().Contains("closed while the node runs"), Patience), $"log: {Logged()}");
        Assert.False(run.IsCompleted);
        Assert.Equal(2, LiveMembers(child.Id));

        node.Kill();
        Assert.Equal(1, await run.WaitAsync(Patience));
        Assert.True(SpinWait.SpinUntil(() => LiveMembers(child.Id) == 0, Patience), "the child's group once the node ended");
    }

    private Process Start(string file, params string[] args)
    {
        var process = Process.Start(new ProcessStartInfo(file, args) { UseShellExecute = false })!;
        _started.Add(process);
        return process;
    }

    private static int LiveMembers(int pgid) => ProcessGroups.CountLiveMembers([pgid])[pgid];

    public Task DisposeAsync()
    {
        foreach (var (pid, _) in _spawned)
        {
            Signal(pid, "CONT");
            Signal(pid, "KILL");
        }
        _link?.Dispose();
        foreach (var process in _started)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
        }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
