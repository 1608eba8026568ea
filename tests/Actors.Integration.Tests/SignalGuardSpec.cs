using System.Diagnostics;
using Actors.Processes;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// Issue 11, item 4: once a leader is reaped its group id is a number the kernel may hand to anyone. Each path
/// that signals a group after that (a run's handle, which an exec probe's command has too; the watchdog) must not
/// reach a group we did not start. The reuse is staged with a foreign group the test starts itself: <c>setsid sh</c> whose
/// leader exits at once, leaving a <c>sleep</c> in a group whose leader is gone and which carries no marker of ours.
/// </summary>
public sealed class SignalGuardSpec : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly List<(int Pid, long StartTime)> _sleeps = new();

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>A group of the test's own whose leader is gone: returns its id and the sleep left in it.</summary>
    private (int Pgid, int SleepPid, long SleepStart) StartForeignGroup()
    {
        var leader = Process.Start(new ProcessStartInfo("setsid", ["sh", "-c", "sleep 1000 & echo $!; exit 0"]) { RedirectStandardOutput = true })!;
        var sleepPid = int.Parse(leader.StandardOutput.ReadLine()!);
        var sleepStart = ProcStat.ReadStartTime(sleepPid)!.Value;
        _sleeps.Add((sleepPid, sleepStart));
        Assert.True(leader.WaitForExit(Patience));
        Assert.Equal(leader.Id, (int)ProcStat.ReadProcessGroup(sleepPid)!.Value);
        Assert.Null(ProcStat.ReadStartTime(leader.Id)); // the leader is gone: only the sleep holds the group id
        return (leader.Id, sleepPid, sleepStart);
    }

    private static bool IsAlive(int pid, long startTime) => ProcStat.ReadStartTime(pid) == startTime && !ProcStat.IsZombie(pid);

    /// <summary>
    /// Whether the foreign sleep survives <paramref name="act"/>: watched through a pidfd opened before, which turns
    /// readable when it exits, so a kill is seen however late it lands; a survivor is given 2 s to die.
    /// </summary>
    private static unsafe bool Survives((int Pgid, int SleepPid, long SleepStart) foreign, Action act)
    {
        int fd = ProcessGroupSignal.OpenProcess(foreign.SleepPid, foreign.SleepStart);
        Assert.True(fd >= 0);
        try
        {
            act();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                int left = 2000 - (int)watch.ElapsedMilliseconds;
                if (left <= 0) return true;
                long pollfd = (uint)fd | ((long)Actors.Native.LibC.POLLIN << 32); // struct pollfd { int fd; short events; short revents; }
                int ready = Actors.Native.LibC.poll(&pollfd, 1, left);
                if (ready == 0) return true;
                if (ready > 0) return false;
                // poll is never restarted after a signal handler ran (signal(7)): the SIGCHLD of any other test's
                // child lands on this thread now and then (a CI run failed on exactly that). Wait out the rest.
                int error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                Assert.True(error == Actors.Native.LibC.EINTR, $"poll failed: errno {error}");
            }
        }
        finally { Actors.Native.LibC.close(fd); }
    }

    [Fact]
    public void A_handle_whose_group_id_now_names_a_foreign_group_signals_nothing()
    {
        var foreign = StartForeignGroup();
        // Our own run, over: a pidfd of its main process after it was reaped (the handle keeps one for its group).
        // cat runs until its input closes: the pidfd is opened while it surely runs (a `true` could exit and be reaped
        // by .NET before pidfd_open, which then fails: a CI run did).
        var ours = Process.Start(new ProcessStartInfo("cat") { RedirectStandardInput = true })!;
        int pidfd = Actors.Native.LibC.PidfdOpen(ours.Id);
        Assert.True(pidfd >= 0);
        ours.StandardInput.Close();
        Assert.True(ours.WaitForExit(Patience));
        // The handle's group id is the foreign one, as after a reuse; its start time is its own run's.
        var handle = new LinuxProcessHandle(foreign.Pgid, startTime: 1, pidfd, runEntry: "ACTORS_RUN=test.reuse");
        handle.MarkReaped();

        Assert.True(Survives(foreign, () =>
        {
            Assert.False(handle.SignalGroup(9));
            Assert.False(handle.Signal(9));
        }), "the foreign group was signalled");
        Assert.False(handle.IsGroupAlive());
        handle.Release();
    }

    [Fact]
    public void The_watchdog_leaves_alone_a_foreign_group_holding_a_listed_group_id()
    {
        var foreign = StartForeignGroup();
        // A node that is gone (no such pid) listed a child with this group id; its leader is gone too.
        var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"+{foreign.Pgid} 12345 web\n"));
        var killed = -1;
        Assert.True(Survives(foreign, () => killed = Watchdog.Run(input, TextWriter.Null, nodePid: int.MaxValue)), "the watchdog killed a foreign group");
        Assert.Equal(0, killed);
    }

    [Fact]
    public void A_group_signal_through_a_reaped_leader_still_reaches_the_members_it_left()
    {
        // Our own group, leader gone (reaped by .NET), a sleep left in it: the leader's pidfd still names the group.
        var leader = Process.Start(new ProcessStartInfo("setsid", ["sh", "-c", "sleep 1000 & echo $!; read x"]) { RedirectStandardOutput = true, RedirectStandardInput = true })!;
        var sleepPid = int.Parse(leader.StandardOutput.ReadLine()!);
        var sleepStart = ProcStat.ReadStartTime(sleepPid)!.Value;
        _sleeps.Add((sleepPid, sleepStart));
        int pidfd = ProcessGroupSignal.OpenProcess(leader.Id, ProcStat.ReadStartTime(leader.Id)!.Value);
        Assert.True(pidfd >= 0);
        leader.StandardInput.Close();
        Assert.True(leader.WaitForExit(Patience));
        try
        {
            Assert.True(ProcessGroupSignal.ToGroup(pidfd, leader.Id, 9, marker: null));
            Poll.Until(() => !IsAlive(sleepPid, sleepStart), Patience);
            Assert.False(IsAlive(sleepPid, sleepStart));
        }
        finally { Actors.Native.LibC.close(pidfd); }
    }

    public Task DisposeAsync()
    {
        // The sleeps the test started itself, each by pid and start time.
        foreach (var (pid, startTime) in _sleeps) ProcessGroupSignal.ToProcess(pid, startTime, 9);
        return Task.CompletedTask;
    }
}
