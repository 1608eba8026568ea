using Actors.Configuration;
using Actors.Logging;
using Actors.Processes;
using Actors.Native;
using Actors.Processes.Native;
using Xunit;

namespace Actors.Core.Tests.Processes;

/// <summary>
/// The output pump with real processes: a grandchild that never stops writing into its parent's pipe must not
/// keep the one pump thread from reporting exits, its own parent's or anyone else's.
/// </summary>
public sealed class OutputPumpSpec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly string _dir = Directory.CreateTempSubdirectory("actors-pump-").FullName;
    private readonly List<LinuxProcessHandle> _started = [];
    private readonly List<ProcessLogWriter> _writers = [];
    private readonly PipeGrowth _growth = new(int.MaxValue);
    private readonly OutputPump _pump;

    public OutputPumpSpec() => _pump = new((_, _) => { }, _growth);

    [Fact]
    public void Exits_are_reported_while_a_grandchild_keeps_writing_and_its_pipe_ends_once_the_group_is_killed()
    {
        // yes writes as fast as the pump reads (hundreds of MB/s): into a sink that only looks for the main process's
        // line, not into a file that would fill the disk while the test runs.
        var noisyOutput = new LineSpotter("main done\n");
        var noisy = Start("noisy", "yes & echo main done; exit 1", noisyOutput);
        var quiet = Start("quiet", "sleep 1; exit 3");

        var first = ExpectMsg<ProcessExited>(Patience);
        Assert.Equal(noisy.Pid, first.Pid);
        Assert.Equal(1, first.Status.Code);
        // The pump hands a process's output to its log before it announces the exit.
        Assert.True(noisyOutput.Seen, "the main process's line was logged before its exit was reported");

        var second = ExpectMsg<ProcessExited>(Patience);
        Assert.Equal(quiet.Pid, second.Pid);
        Assert.Equal(3, second.Status.Code);

        // yes is still writing; once its group is killed, its pipe reaches EOF and leaves the pump.
        Assert.True(noisy.IsGroupAlive());
        Assert.True(noisy.SignalGroup(LibC.SIGKILL));
        AwaitCondition(() => _pump.Watching == 0, Patience, TimeSpan.FromMilliseconds(20), "every pipe ended");
        // The pipe ends when yes dies, a moment before its new parent reaps it: until then it is still in the group.
        AwaitCondition(() => !noisy.IsGroupAlive(), Patience, TimeSpan.FromMilliseconds(20), "the group is gone");
    }

    [Fact]
    public void Output_written_in_packet_mode_is_logged_whole_in_order_and_before_the_exit_is_reported()
    {
        // A writer may put its end of the pipe in packet mode (O_DIRECT): each read then returns one write, a short
        // read no longer means the pipe is empty. perl is part of every Debian system (perl-base).
        Start("packets", "exec perl -MFcntl -e 'fcntl(STDOUT, F_SETFL, O_DIRECT) or die \"fcntl: $!\"; " +
            "syswrite(STDOUT, \"line $_\\n\") for 1..5000; exit 3'");

        var exited = ExpectMsg<ProcessExited>(Patience);

        Assert.Equal(3, exited.Status.Code);
        Assert.Equal(Enumerable.Range(1, 5000).Select(i => $"line {i}"), File.ReadAllLines(LogOf("packets")));
    }

    [Fact]
    public void The_end_of_an_earlier_runs_pipe_does_not_cut_the_line_the_next_run_is_writing()
    {
        var writer = Writer("service");
        // The first run exits, but a child keeps its pipe open: that pipe ends only when the child is killed.
        var first = Start("service", "sleep 300 & exit 0", writer);
        ExpectMsg<ProcessExited>(Patience);
        var go = Path.Combine(_dir, "go");
        var second = Start("service", $"printf part; while [ ! -e {go} ]; do sleep 0.02; done; printf 'ial\\n'", writer);
        AwaitCondition(() => File.ReadAllText(LogOf("service")) == "part", Patience, TimeSpan.FromMilliseconds(20), "the start of the line");

        first.SignalGroup(LibC.SIGKILL);
        AwaitCondition(() => _pump.Watching == 2, Patience, TimeSpan.FromMilliseconds(20), "the first run's pipe ended");
        File.WriteAllText(go, "");
        Assert.Equal(second.Pid, ExpectMsg<ProcessExited>(Patience).Pid);

        Assert.Equal("partial\n", File.ReadAllText(LogOf("service")));
    }

    [Fact]
    public void A_child_whose_exit_cannot_be_watched_is_killed_reaped_and_reported_as_exited_and_its_pipe_is_not_left_open()
    {
        var result = Spawner.Spawn("/bin/sh", ["sh", "-c", "sleep 300"], ["PATH=/usr/bin:/bin"], _dir);
        Assert.Equal(0, result.Errno);
        var handle = new LinuxProcessHandle(result.Pid, ProcStat.ReadStartTime(result.Pid) ?? 0, LibC.PidfdOpen(result.Pid), runEntry: null);
        _started.Add(handle);

        // An exit watch epoll refuses (here: no pidfd at all; in life: ENOMEM, max_user_watches) must not leave a
        // running, unreaped child whose owner never hears of its end.
        _pump.Attach(handle, pidfd: -1, result.OutputFd, Writer("unwatched"), TestActor);

        var exited = ExpectMsg<ProcessExited>(Patience);
        Assert.Equal(result.Pid, exited.Pid);
        Assert.Equal(LibC.SIGKILL, exited.Status.Signal);
        Assert.False(Directory.Exists($"/proc/{result.Pid}"), "the child was reaped");
        // SIGKILL reaches the rest of the group asynchronously: on a loaded machine a member may still be dying.
        AwaitCondition(() => !handle.IsGroupAlive(), Patience, TimeSpan.FromMilliseconds(20), "the group is gone");
        Assert.Equal(0, _pump.Watching);
    }

    [Fact]
    public void A_new_pump_has_run_its_warm_up_output_without_an_error_and_watches_nothing_once_constructed()
    {
        var errors = new List<string>();
        using var pump = new OutputPump((what, e) => { lock (errors) errors.Add($"{what}: {e.Message}"); });

        // The warm-up's own pipe was among the watches until its end: gone before the constructor returns.
        Assert.Equal(0, pump.Watching);
        lock (errors) Assert.Empty(errors);
    }

    [Fact]
    public void Children_still_watched_when_the_pump_is_disposed_are_killed_and_reaped_not_left_running_or_as_zombies()
    {
        var pump = new OutputPump((_, _) => { });
        var result = Spawner.Spawn("/bin/sh", ["sh", "-c", "sleep 300 & sleep 300"], ["PATH=/usr/bin:/bin"], _dir);
        Assert.Equal(0, result.Errno);
        var handle = new LinuxProcessHandle(result.Pid, ProcStat.ReadStartTime(result.Pid) ?? 0, LibC.PidfdOpen(result.Pid), runEntry: null);
        _started.Add(handle);
        pump.Attach(handle, LibC.PidfdOpen(result.Pid), result.OutputFd, Writer("left"), TestActor);
        Assert.True(handle.IsGroupAlive());

        pump.Dispose();

        Assert.False(Directory.Exists($"/proc/{result.Pid}"), "the child is neither running nor a zombie");
        AwaitCondition(() => !handle.IsGroupAlive(), Patience, TimeSpan.FromMilliseconds(20), "the group is gone");
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // its owner is gone with the pump: nothing is reported
    }

    [Fact]
    public void Output_after_a_stream_of_small_writes_paused_is_logged_while_the_process_still_runs()
    {
        // 3000 lines one write() each, a short rest after every 50 (so the stream lasts for many of the pump's rounds):
        // the pump reads such a stream every millisecond, out of its epoll set. When the stream pauses, the pipe must be
        // watched again: the next line is logged as it comes, not only at the exit.
        var go = Path.Combine(_dir, "go");
        var end = Path.Combine(_dir, "end");
        var process = Start("bursts", "exec perl -e '$| = 1; for (1..3000) { syswrite(STDOUT, \"line $_\\n\"); select(undef, undef, undef, 0.0005) if $_ % 50 == 0 } " +
            $"select(undef, undef, undef, 0.02) until -e \"{go}\"; syswrite(STDOUT, \"after the pause\\n\"); " +
            $"select(undef, undef, undef, 0.02) until -e \"{end}\"; exit 4'");

        AwaitCondition(() => File.ReadAllText(LogOf("bursts")).EndsWith("line 3000\n", StringComparison.Ordinal), Patience,
            TimeSpan.FromMilliseconds(20), "the stream of lines");
        File.WriteAllText(go, "");
        AwaitCondition(() => File.ReadAllText(LogOf("bursts")).EndsWith("after the pause\n", StringComparison.Ordinal), Patience,
            TimeSpan.FromMilliseconds(20), "the line after the pause, while the process runs");
        Assert.True(process.IsGroupAlive());
        File.WriteAllText(end, "");

        Assert.Equal(4, ExpectMsg<ProcessExited>(Patience).Status.Code);
        Assert.Equal(Enumerable.Range(1, 3000).Select(i => $"line {i}").Append("after the pause"), File.ReadAllLines(LogOf("bursts")));
    }

    [Fact]
    public void A_childs_pipe_keeps_the_default_size_until_a_read_finds_it_full_then_grows_to_1_MiB_until_it_ends()
    {
        // One write() of 256 KiB: the kernel fills the default 64 KiB pipe before it wakes the pump, whose read then
        // takes a whole default pipe. The quiet child never writes a byte.
        var go = Path.Combine(_dir, "go");
        var burst = Start("burst", "exec perl -e 'syswrite(STDOUT, (\"x\" x 262143) . \"\\n\"); " +
            $"select(undef, undef, undef, 0.02) until -e \"{go}\"'");
        var quiet = Start("quiet", $"exec perl -e 'select(undef, undef, undef, 0.02) until -e \"{go}\"'");

        AwaitCondition(() => new FileInfo(LogOf("burst")).Length == 262144, Patience, TimeSpan.FromMilliseconds(20), "the burst logged");
        Assert.Equal(PipeGrowth.GrownBytes, StdoutPipeSize(burst.Pid));
        Assert.Equal(PipeGrowth.DefaultBytes, StdoutPipeSize(quiet.Pid));
        Assert.Equal(1, _growth.Grown);

        File.WriteAllText(go, "");
        ExpectMsg<ProcessExited>(Patience);
        ExpectMsg<ProcessExited>(Patience);
        // The grown pipe ended with its child: it no longer counts against what may grow.
        AwaitCondition(() => _pump.Watching == 0, Patience, TimeSpan.FromMilliseconds(20), "every pipe ended");
        Assert.Equal(0, _growth.Grown);
    }

    /// <summary>The size of the pipe that is <paramref name="pid"/>'s stdout, through a second write end opened by its /proc path.</summary>
    private static int StdoutPipeSize(int pid)
    {
        int fd = LibC.open($"/proc/{pid}/fd/1", LibC.O_WRONLY | LibC.O_CLOEXEC, 0);
        Assert.True(fd >= 0, $"open /proc/{pid}/fd/1: {LibC.ErrorText(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}");
        try { return LibC.fcntl(fd, LibC.F_GETPIPE_SZ, 0); }
        finally { LibC.close(fd); }
    }

    private string LogOf(string name) => Path.Combine(_dir, name + ".log");

    private ProcessLogWriter Writer(string name)
    {
        var writer = new ProcessLogWriter(new LogSettings(LogOf(name), 1L << 30, 1, false), new LogTail());
        _writers.Add(writer);
        return writer;
    }

    private LinuxProcessHandle Start(string name, string script, IOutputSink? writer = null)
    {
        writer ??= Writer(name);
        var result = Spawner.Spawn("/bin/sh", ["sh", "-c", script], ["PATH=/usr/bin:/bin"], _dir);
        Assert.Equal(0, result.Errno);
        // Two pidfds of our unreaped child, as the launcher takes them: the pump's for the exit, the handle's for the group.
        int pidfd = LibC.PidfdOpen(result.Pid);
        Assert.True(pidfd >= 0);
        var handle = new LinuxProcessHandle(result.Pid, ProcStat.ReadStartTime(result.Pid) ?? 0, LibC.PidfdOpen(result.Pid), runEntry: null);
        _started.Add(handle);
        _pump.Attach(handle, pidfd, result.OutputFd, writer, TestActor);
        return handle;
    }

    /// <summary>A log that keeps nothing but whether <paramref name="text"/> came by, even split between two reads.</summary>
    private sealed class LineSpotter(string text) : IOutputSink
    {
        private readonly byte[] _text = System.Text.Encoding.UTF8.GetBytes(text);
        private byte[] _carry = [];
        private volatile bool _seen;

        public bool Seen => _seen;

        public void Write(ReadOnlySpan<byte> chunk)
        {
            if (_seen) return;
            // The end of the previous chunk, joined to the start of this one, finds a match split between them.
            var joined = _carry.Concat(chunk[..Math.Min(chunk.Length, _text.Length)].ToArray()).ToArray();
            _seen = joined.AsSpan().IndexOf(_text) >= 0 || chunk.IndexOf(_text) >= 0;
            _carry = chunk[Math.Max(0, chunk.Length - _text.Length + 1)..].ToArray();
        }

        public void Flush()
        {
        }

        public void CompletePartialLine()
        {
        }
    }

    void IDisposable.Dispose()
    {
        // Whatever a failed test left of the groups it started (a yes writing on) goes before the pump does.
        foreach (var handle in _started)
            if (handle.IsGroupAlive()) handle.SignalGroup(LibC.SIGKILL);
        AwaitCondition(() => _pump.Watching == 0, Patience);
        _pump.Dispose();
        foreach (var writer in _writers) writer.Dispose();
        Shutdown();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
