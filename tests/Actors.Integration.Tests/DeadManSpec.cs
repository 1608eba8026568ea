using System.Diagnostics;
using System.IO.Pipes;
using Actors.Processes;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// The watchdog's dead-man switch, run in-process (the same code the actors-watchdog program runs) on real process
/// groups: the node's pipe stays open, as it does for a frozen node, and only the lease kill times decide.
/// </summary>
public sealed class DeadManSpec : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-deadman-").FullName;
    private readonly List<Process> _started = new();
    private readonly List<(int Pid, long StartTime)> _groups = new();

    private Process StartGroup(string script)
    {
        var process = Process.Start(new ProcessStartInfo("/usr/bin/setsid", ["/bin/sh", "-c", script]) { UseShellExecute = false })!;
        _started.Add(process);
        Assert.True(SpinWait.SpinUntil(() => ProcStat.ReadProcessGroup(process.Id) == process.Id, Patience), "setsid made it a group leader");
        _groups.Add((process.Id, ProcStat.ReadStartTime(process.Id)!.Value));
        return process;
    }

    private static int LiveMembers(int pgid) => ProcessGroups.CountLiveMembers([pgid])[pgid];

    private static string Group(Process p) => $"{p.Id} {ProcStat.ReadStartTime(p.Id)}";

    [Fact]
    public async Task A_group_whose_lease_is_not_renewed_gets_its_stop_signal_then_SIGKILL_while_renewed_and_unfenced_groups_live()
    {
        var node = Process.Start(new ProcessStartInfo("/bin/sleep", ["1000"]) { UseShellExecute = false })!; // stands in for the frozen node
        _started.Add(node);
        var termed = Path.Combine(_dir, "termed");
        // Leaves on SIGTERM, and says so.
        var polite = StartGroup($"trap 'echo TERM > {termed}; exit 0' TERM; sleep 1000 & wait");
        // Ignores SIGTERM: only the SIGKILL after the grace ends it.
        var stubborn = StartGroup("trap '' TERM; sleep 1000 & wait; sleep 1000 & wait");
        var renewed = StartGroup("sleep 1000 & wait");
        var unfenced = StartGroup("sleep 1000 & wait");
        foreach (var p in new[] { polite, stubborn, renewed, unfenced })
            Assert.True(SpinWait.SpinUntil(() => LiveMembers(p.Id) == 2, Patience), "each shell with its sleep");

        var pids = new[] { polite, stubborn }.ToDictionary(p => p.Id, p => ProcStat.ReadStartTime(p.Id)!.Value);
        var now = WatchdogProtocol.NowMs();
        var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        var input = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        var log = new StringWriter();
        var synchronized = TextWriter.Synchronized(log);
        try
        {
            var run = Task.Run(() => Watchdog.Run(input, synchronized, node.Id, ProcStat.ReadStartTime(node.Id)));
            var lines = string.Join("\n",
                // Not renewed: its kill time is 5 s away and the grace is 5 s, so the stop signal is due now and the
                // SIGKILL in 5 s. (With both already past, SIGKILL followed SIGTERM at once and the polite group
                // could be killed before its trap wrote its line.)
                $"~overdue {now + 5000}",
                $"~kept {now + 600_000}",                      // renewed: good for ten minutes
                $"+{Group(polite)} polite", $"&{Group(polite)} overdue 15 5000",
                $"+{Group(stubborn)} stubborn", $"&{Group(stubborn)} overdue 15 5000",
                $"+{Group(renewed)} renewed", $"&{Group(renewed)} kept 15 2000",
                $"+{Group(unfenced)} unfenced") + "\n";
            var bytes = System.Text.Encoding.UTF8.GetBytes(lines);
            pipe.Write(bytes);
            pipe.Flush();

            Assert.True(SpinWait.SpinUntil(() => LiveMembers(polite.Id) == 0 && LiveMembers(stubborn.Id) == 0, Patience),
                $"the overdue groups were not killed; log: {Logged()}");
            Assert.Equal("TERM", File.ReadAllText(termed).Trim());
            // The watchdog writes each line after its signal went out: the group can be gone before its line is.
            var stopped = $"sent signal 15 to the process group of polite (pid {polite.Id})";
            var killed = $"SIGKILLed the process group of stubborn (pid {stubborn.Id})";
            Assert.True(SpinWait.SpinUntil(() => Logged().Contains(stopped) && Logged().Contains(killed), Patience),
                $"the watchdog did not log the stop signal and the SIGKILL; log: {Logged()}");
            Assert.Equal(2, LiveMembers(renewed.Id));
            Assert.Equal(2, LiveMembers(unfenced.Id));
            Assert.False(run.IsCompleted); // the pipe is open: the node is not dead, only silent

            // The node ends in order: nothing is listed any more, nothing else is killed.
            var gone = $"-{polite.Id} {pids[polite.Id]}\n-{stubborn.Id} {pids[stubborn.Id]}\n";
            var end = System.Text.Encoding.UTF8.GetBytes($"{gone}-{Group(renewed)}\n-{Group(unfenced)}\n{Watchdog.EndLine}\n");
            pipe.Write(end);
            pipe.Flush();
            await run.WaitAsync(Patience);
            Assert.Equal(2, LiveMembers(renewed.Id));
            Assert.Equal(2, LiveMembers(unfenced.Id));
        }
        finally
        {
            // The writer first: its EOF ends the watchdog's read. Disposing the reader while the watchdog's thread is
            // blocked reading it waits for that read for ever (a failed assertion once hung the whole suite so).
            pipe.Dispose();
            input.Dispose();
        }

        string Logged()
        {
            lock (synchronized) return log.ToString();
        }
    }

    /// <summary>
    /// A "node" (a sleep this test starts) with one group under lease <paramref name="lease"/>, holding
    /// <paramref name="token"/> as "node-a" in the lease folder; the node dies without its end line, and the watchdog
    /// runs to its end. Returns the watchdog's log.
    /// </summary>
    private async Task<string> NodeDiesHolding(string folder, string lease, long token)
    {
        var node = Process.Start(new ProcessStartInfo("/bin/sleep", ["1000"]) { UseShellExecute = false })!;
        _started.Add(node);
        var nodeStart = ProcStat.ReadStartTime(node.Id);
        var leased = StartGroup("sleep 1000 & wait");
        Assert.True(SpinWait.SpinUntil(() => LiveMembers(leased.Id) == 2, Patience), "the shell with its sleep");
        var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        var input = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        var log = new StringWriter();
        var synchronized = TextWriter.Synchronized(log);
        Task<int> run;
        try
        {
            run = Task.Run(() => Watchdog.Run(input, synchronized, node.Id, nodeStart));
            var lines = string.Join("", $"+{Group(leased)} leased\n", $"~{lease} {WatchdogProtocol.NowMs() + 600_000}\n",
                $"&{Group(leased)} {lease} 15 2000\n", WatchdogProtocol.Held(new LeaseHolding(lease, token, "node-a", folder)));
            pipe.Write(System.Text.Encoding.UTF8.GetBytes(lines));
            pipe.Flush();
            // The node dies (its pipe closes with it, below): no end line.
            node.Kill();
            node.WaitForExit();
        }
        finally
        {
            // The writer only: its EOF ends the watchdog's read (the reader is the watchdog's until it returns).
            pipe.Dispose();
        }
        try
        {
            Assert.Equal(1, await run.WaitAsync(Patience));
        }
        finally
        {
            input.Dispose();
        }
        Assert.Equal(0, LiveMembers(leased.Id));
        lock (synchronized) return log.ToString();
    }

    [Fact]
    public async Task When_the_node_dies_its_watchdog_kills_the_leased_group_and_then_frees_the_holding_the_file_still_names()
    {
        var folder = Path.Combine(_dir, "leases");
        var lease = new Actors.Leases.LeaseFile(folder, "solo");
        Assert.True(lease.TryCreate(new Actors.Leases.LeaseRecord("node-a", 4, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10))));

        var logged = await NodeDiesHolding(folder, "solo", 4);

        var (token, record) = lease.Current(out _);
        Assert.Equal(4, token); // freed, not deleted: the next holder's token is 5
        Assert.True(record!.IsFree, $"the holding was not freed; log: {logged}");
        Assert.Contains($"released lease solo (token 4) in {folder}", logged);
    }

    [Fact]
    public async Task When_the_node_dies_after_another_node_took_its_lease_the_watchdog_leaves_the_newer_holding_alone()
    {
        var folder = Path.Combine(_dir, "leases");
        var lease = new Actors.Leases.LeaseFile(folder, "solo");
        Assert.True(lease.TryCreate(new Actors.Leases.LeaseRecord("node-a", 4, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10))));
        Assert.True(lease.TryCreate(new Actors.Leases.LeaseRecord("node-b", 5, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10))));

        var logged = await NodeDiesHolding(folder, "solo", 4);

        var (token, record) = lease.Current(out _);
        Assert.Equal(5, token);
        Assert.Equal("node-b", record!.Holder);
        Assert.DoesNotContain("released lease", logged);
    }

    public void Dispose()
    {
        // Only the groups this test made, and only while their leader is still the one it started.
        foreach (var (pid, start) in _groups)
            ProcessGroupSignal.ToGroupOf(pid, start, null, 9);
        foreach (var p in _started)
        {
            try
            {
                if (!p.HasExited) p.Kill();
                p.WaitForExit(5000);
            }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
