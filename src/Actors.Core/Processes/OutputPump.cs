using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Akka.Actor;
using Actors.Logging;
using Actors.Native;

namespace Actors.Processes;

/// <summary>
/// One thread, one epoll set, every child: reads each child's output pipe into its log and watches each
/// child's pidfd for its exit. A single shared read buffer and no thread per child keep 500 idle children
/// cheap. Before an exit is reported, one pipe capacity of output is read: all the main process wrote is in the
/// pipe by then and a pipe holds at most that much, so every line of its own comes ahead of the "exited" event,
/// while a descendant that keeps writing into the inherited pipe never holds the thread for longer than a turn.
/// A one-shot command (an exec probe) has its pipe closed right there: what a descendant writes after that bounded
/// read is not wanted, and nothing may keep the command's run open.
/// </summary>
internal sealed unsafe partial class OutputPump : IDisposable
{
    // One read takes up to this much: a child printing fast is logged in few large reads and file writes, and its
    // in-memory tail decodes only the lines it keeps of each read.
    private const int BufferSize = 256 * 1024;
    private const int MaxEvents = 64;
    // Per wake-up, read at most this many bytes from one pipe before serving the others.
    private const long BytesPerTurn = 1 << 20;
    // While a pipe's output keeps coming in small pieces (two reads in a row got something, less than CoalesceBelow),
    // the pipe leaves the epoll set and the pump reads it every this long, so a read finds many lines instead of one:
    // a child writing line by line then never wakes the pump, and the file gets few large writes. Why polling and not
    // more work per line: with a child writing 1M lines one write() each, perf on the pump thread shows its time in the
    // kernel's task switches (28 %) and system calls (read 15 %, epoll_wait), under this VM's paravirtual irq path
    // (49 % in all), and none visible in our code: its cost is per round, so fewer rounds is what saves it. Why out of
    // the epoll set rather than a pause with the pipe in it: a pipe in an epoll set runs epoll's callback in every
    // write() of the child (the kernel wakes a polled pipe's waiters on each write, not only on the first into an empty
    // pipe). A writer of 1M lines one write() each: 1.43 s with its pipe in the set, 1.36 s out of it, in a C model of
    // the pump (bench/tools/pipe_readers.c, medians of 8); in the node 1.394 -> 1.353 s (medians of 20 interleaved runs,
    // bench/README.md, issue 14 item 3).
    // It delays what is logged by at most this much, and never the first line after a quiet spell, nor the small rest
    // that ends a stream of big writes (it follows a big read).
    private const int CoalesceMs = 1;
    // A read this big already paid for its wake-up: the pipe stays (or goes back) in the epoll set (see PolledAfter).
    private const long CoalesceBelow = 64 * 1024;
    // When the kernel does not say how big a pipe is: the most a pipe is grown to.
    private const int AssumedPipeCapacity = PipeGrowth.GrownBytes;
    // Longest a line may wait in memory while other children keep the pump busy.
    private const long FlushIntervalMs = 20;

    private static readonly int PageSize = Environment.SystemPageSize;
    private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private readonly int _epoll;
    private readonly int _wakeFd;
    private readonly ConcurrentDictionary<ulong, Watch> _watches = new();
    // The pipe that last wrote to each log (pump thread only): the pipe of a run that exited can still carry a
    // descendant's output while the next run writes, and only the last writer's unfinished line may be ended.
    private readonly Dictionary<IOutputSink, PipeWatch> _lastSource = new();
    private readonly Thread _thread;
    private readonly Action<string, Exception> _onError;
    private readonly PipeGrowth _growth;
    private readonly bool _warmUp;
    private readonly ManualResetEventSlim _warmedUp = new();
    private long _nextToken = 1;
    private volatile bool _stopping;

    /// <param name="growth">Which pipes grow (<see cref="PipeGrowth.ForThisProcess"/> when null).</param>
    /// <param name="warmUp">
    /// Run a chunk of output through the log path before the first wait (<see cref="RunFirstOutput"/>): for a pump that
    /// logs children's output; not for one that only watches exits or copies a few lines.
    /// </param>
    public OutputPump(Action<string, Exception> onError, PipeGrowth? growth = null, bool warmUp = true)
    {
        _warmUp = warmUp;
        _onError = onError;
        _growth = growth ?? PipeGrowth.ForThisProcess();
        _epoll = LibC.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (_epoll < 0) throw new InvalidOperationException($"epoll_create1 failed: {LibC.ErrorText(Marshal.GetLastPInvokeError())}");
        _wakeFd = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        Add(_wakeFd, 0);
        _thread = new Thread(Run) { IsBackground = true, Name = "actors-output-pump" };
        _thread.Start();
        // Until then the warm-up's own pipe is among the watches (RunFirstOutput); bounded: a start never hangs on it.
        _warmedUp.Wait(TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// Starts reading <paramref name="outputFd"/> into <paramref name="output"/> and watching the exit of
    /// <paramref name="handle"/>, which <paramref name="owner"/> is told as <see cref="ProcessExited"/>.
    /// <paramref name="outputFd"/> -1: the child writes somewhere of its own (it shares the caller's stdout and
    /// stderr); only its exit is watched. The pipe is read until its last writer closed it.
    /// </summary>
    /// <paramref name="errorFd"/>: stderr's own pipe (<c>log.stderr = separate</c>), read into <paramref name="errorOutput"/>
    /// the same way; -1 when stderr shares <paramref name="outputFd"/>.
    public void Attach(LinuxProcessHandle handle, int pidfd, int outputFd, IOutputSink? output, IActorRef owner,
        int errorFd = -1, IOutputSink? errorOutput = null) =>
        Attach(handle, pidfd, outputFd, output, status => owner.Tell(new ProcessExited(handle.Pid, status)), closePipeAtExit: false,
            errorFd, errorOutput);

    /// <summary>
    /// As above, the exit reported to <paramref name="onExit"/> (on the pump's thread: it must not block).
    /// <paramref name="closePipeAtExit"/>: the pipe is closed once the exit was seen and one pipe capacity read, so
    /// <paramref name="output"/> has all the command wrote itself when <paramref name="onExit"/> is called.
    /// </summary>
    public void Attach(LinuxProcessHandle handle, int pidfd, int outputFd, IOutputSink? output, Action<ExitStatus> onExit,
        bool closePipeAtExit, int errorFd = -1, IOutputSink? errorOutput = null)
    {
        PipeWatch? pipe = null, errorPipe = null;
        try
        {
            if (outputFd >= 0) Register(pipe = new PipeWatch(outputFd, output));
            if (errorFd >= 0) Register(errorPipe = new PipeWatch(errorFd, errorOutput));
            Register(new ExitWatch(handle, pidfd, pipe, errorPipe, onExit, closePipeAtExit));
        }
        catch (InvalidOperationException e)
        {
            // epoll refused a watch (ENOMEM, fs.epoll.max_user_watches): an exit nobody watches would leave a
            // running child that is never reaped and an owner that never hears of its end. End it here instead.
            _onError($"pid {handle.Pid}", e);
            if (pipe is not null) Remove(pipe);
            else if (outputFd >= 0) LibC.close(outputFd);
            if (errorPipe is not null) Remove(errorPipe);
            else if (errorFd >= 0) LibC.close(errorFd);
            if (pidfd >= 0) LibC.close(pidfd);
            onExit(UnwatchedChild.KillAndReap(handle));
        }
    }

    /// <summary>Pipes and exits still watched: a pipe leaves once every writer closed it (EOF).</summary>
    internal int Watching => _watches.Count;

    private static int Capacity(int pipeFd)
    {
        int size = LibC.fcntl(pipeFd, LibC.F_GETPIPE_SZ, 0);
        return size > 0 ? size : AssumedPipeCapacity;
    }

    private void Register(Watch watch)
    {
        watch.Token = (ulong)Interlocked.Increment(ref _nextToken);
        _watches[watch.Token] = watch;
        try { Add(watch.Fd, watch.Token); }
        catch (InvalidOperationException)
        {
            _watches.TryRemove(watch.Token, out _);
            throw;
        }
    }

    private void Add(int fd, ulong token)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = LibC.EPOLLIN;
        *(ulong*)(ev + DataOffset) = token;
        if (LibC.epoll_ctl(_epoll, LibC.EPOLL_CTL_ADD, fd, ev) != 0)
            throw new InvalidOperationException($"epoll_ctl failed for fd {fd}: {LibC.ErrorText(Marshal.GetLastPInvokeError())}");
    }

    private void Remove(Watch watch)
    {
        _watches.TryRemove(watch.Token, out _);
        // A polled pipe is out of the set already; the pump drops it from its list once it sees it closed.
        if (watch is not PipeWatch { Polled: true })
            LibC.epoll_ctl(_epoll, LibC.EPOLL_CTL_DEL, watch.Fd, null);
        LibC.close(watch.Fd);
        watch.Closed = true;
    }

    private void Run()
    {
        byte* events = (byte*)NativeMemory.Alloc((nuint)(EventSize * MaxEvents));
        byte* buffer = ResidentBuffer.Map(BufferSize);
        var touched = new HashSet<IOutputSink>();
        // Pipes streaming in small pieces, out of the epoll set and read every CoalesceMs (pump thread only).
        var polled = new List<PipeWatch>();
        TailFeeder.CompileSearches();
        if (_warmUp) RunFirstOutput(events, buffer, touched, polled);
        else _warmedUp.Set();
        try
        {
            long lastFlush = Environment.TickCount64;
            while (!_stopping)
            {
                // With output waiting to be flushed, only peek: while children keep writing, bytes gather into
                // big writes; the moment the pipes go quiet (or every FlushInterval under load) they reach the file.
                // While pipes are polled, wait at most until their next read (another event ends the wait sooner).
                int n = LibC.epoll_wait(_epoll, events, MaxEvents, polled.Count > 0 ? CoalesceMs : touched.Count > 0 ? 0 : -1);
                if ((n <= 0 && polled.Count == 0) || Environment.TickCount64 - lastFlush >= FlushIntervalMs)
                {
                    foreach (var writer in touched) Flush(writer);
                    touched.Clear();
                    lastFlush = Environment.TickCount64;
                }
                Dispatch(events, n, buffer, touched, polled);
                if (polled.Count > 0) ReadPolled(polled, buffer, touched);
            }
        }
        finally
        {
            NativeMemory.Free(events);
            ResidentBuffer.Unmap(buffer, BufferSize);
        }
    }

    /// <summary>Serves the <paramref name="count"/> events epoll reported: reads the pipes, reaps the exits.</summary>
    private void Dispatch(byte* events, int count, byte* buffer, HashSet<IOutputSink> touched, List<PipeWatch> polled)
    {
        for (int i = 0; i < count; i++)
        {
            ulong token = *(ulong*)(events + i * EventSize + DataOffset);
            if (token == 0 || !_watches.TryGetValue(token, out var watch)) continue;
            try
            {
                if (watch is PipeWatch pipe) Track(pipe, Pump(pipe, buffer, touched, BytesPerTurn), polled);
                else if (watch is ExitWatch exit) Reap(exit, buffer, touched);
            }
            catch (Exception e)
            {
                _onError(watch.Describe(), e);
            }
        }
    }

    /// <summary>
    /// Runs a chunk of short lines through the whole path of a child's output once, on a pipe and a log of its own
    /// (in a temporary folder, removed after): the pipe's read, the in-memory tail, the log file's write and flush, the
    /// pipe's end. So the runtime's first-call work on that path is done before the first wait, not between a child's
    /// first output and its first byte in the log: among it the comparer of the watches' keys
    /// (<c>EqualityComparer&lt;ulong&gt;.Default</c>, made by reflection the first time a lookup finds its key; seen
    /// compiled on the pump's thread just before its first read), and the first calls of the methods on the path.
    /// Measured (bench/first_output.sh, the writer of the 64 KiB log row started with the node, medians of 6; issue 14,
    /// stop 41): from the pump's wake-up at a child's first output to its first read of it, 1.14 ms without this, 0.20
    /// ms with it. Best effort: a failure here only leaves that work to the first output, as before.
    /// </summary>
    private void RunFirstOutput(byte* events, byte* buffer, HashSet<IOutputSink> touched, List<PipeWatch> polled)
    {
        FirstOutputScratch? scratch = null;
        try
        {
            scratch = new FirstOutputScratch();
            if (!scratch.FillPipe()) return;
            using var log = scratch.OpenLog();
            var pipe = new PipeWatch(scratch.TakeReadEnd(), log) { Token = ulong.MaxValue }; // the pump closes it at the pipe's end
            // As an event that epoll would report: the same calls from the same places as a child's output.
            _watches[pipe.Token] = pipe;
            *(ulong*)(events + DataOffset) = pipe.Token;
            // Two turns: the lines, then the end. Bounded all the same: nothing here may keep the pump from its children.
            for (int turn = 0; turn < 4 && !pipe.Closed; turn++) Dispatch(events, 1, buffer, touched, polled);
            if (!pipe.Closed) Close(pipe, touched);
            foreach (var writer in touched) Flush(writer);
        }
        // No temporary folder or log (a read-only /tmp): the first output pays for that work, as before.
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LogWriteException) { }
        // Anything else is told, never thrown: the pump thread must go on to serve the children.
        catch (Exception e) { _onError("output pump warm-up", e); }
        finally
        {
            _warmedUp.Set();
            touched.Clear();
            scratch?.Dispose();
        }
    }

    /// <summary>
    /// Whether a pipe goes out of the epoll set, to be read every <see cref="CoalesceMs"/>, after a read of
    /// <paramref name="read"/> bytes that followed a read of <paramref name="readBefore"/>: only while its output keeps
    /// coming in small pieces, both reads below <see cref="CoalesceBelow"/>. The small rest of a stream of big writes
    /// (the last of them) follows a big read: it is not held back before it reaches the file.
    /// </summary>
    internal static bool PolledAfter(long read, long readBefore) =>
        read is > 0 and < CoalesceBelow && readBefore is > 0 and < CoalesceBelow;

    /// <summary>
    /// Whether a polled pipe stays polled after a poll read <paramref name="read"/> bytes: not once it had nothing (the
    /// stream paused: epoll wakes the pump for what comes next) nor after a big read (the writer outgrew batching: a
    /// full pipe must not wait a millisecond for its reader).
    /// </summary>
    internal static bool StaysPolled(long read) => read is > 0 and < CoalesceBelow;

    /// <summary>After <paramref name="pipe"/> was read on an epoll event: takes it out of the set while it streams in small pieces.</summary>
    private void Track(PipeWatch pipe, long read, List<PipeWatch> polled)
    {
        if (!pipe.Closed && PolledAfter(read, pipe.ReadBefore))
        {
            LibC.epoll_ctl(_epoll, LibC.EPOLL_CTL_DEL, pipe.Fd, null);
            pipe.Polled = true;
            polled.Add(pipe);
        }
        pipe.ReadBefore = read;
    }

    /// <summary>Reads each polled pipe; one that had nothing, read a lot or ended leaves the polled list.</summary>
    private void ReadPolled(List<PipeWatch> polled, byte* buffer, HashSet<IOutputSink> touched)
    {
        for (int i = polled.Count - 1; i >= 0; i--)
        {
            var pipe = polled[i];
            long read = 0;
            try
            {
                if (!pipe.Closed) read = Pump(pipe, buffer, touched, BytesPerTurn);
            }
            catch (Exception e)
            {
                _onError(pipe.Describe(), e);
            }
            if (!pipe.Closed && StaysPolled(read)) continue;
            polled.RemoveAt(i);
            pipe.Polled = false;
            pipe.ReadBefore = read;
            if (pipe.Closed) continue;
            // Back in the set. What arrived since the last read is not missed: epoll looks at the pipe as it adds it.
            try { Add(pipe.Fd, pipe.Token); }
            catch (InvalidOperationException e)
            {
                // Without a watch nothing would ever read this pipe again, and a child that fills it would block.
                _onError(pipe.Describe(), e);
                Close(pipe, touched);
            }
        }
    }

    /// <summary>Reads until the pipe is empty or closed, or at least <paramref name="maxBytes"/> were read; returns the bytes read.</summary>
    private long Pump(PipeWatch pipe, byte* buffer, HashSet<IOutputSink> touched, long maxBytes)
    {
        long total = 0;
        while (total < maxBytes && !pipe.Closed)
        {
            var asked = (nint)Math.Min(BufferSize, maxBytes - total);
            nint got = LibC.read(pipe.Fd, buffer, asked);
            if (got > 0)
            {
                total += got;
                if (got >= PipeGrowth.DefaultBytes && pipe.Growth == PipeGrowth.Outcome.Later) pipe.Growth = _growth.Consider(pipe.Fd);
                if (pipe.Output is { } writer)
                {
                    WriteSafely(writer, new ReadOnlySpan<byte>(buffer, (int)got));
                    touched.Add(writer);
                    _lastSource[writer] = pipe;
                }
                // A pipe's read returns less than asked only once the pipe is empty (it copies from every buffer the
                // pipe holds): asking again would only hear EAGAIN, a system call per round for nothing; epoll reports
                // what arrives after, or the end. But a writer may put its end in packet mode (O_DIRECT through fcntl):
                // then each read returns one write, at most a page; after a read that small the pipe is asked again.
                if (got < asked && got > PageSize) return total;
                continue;
            }
            if (got < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EINTR) continue;
                if (errno == LibC.EAGAIN) return total;
            }
            // EOF (every writer closed its end) or a hard error: this pipe is done.
            Close(pipe, touched);
        }
        return total;
    }

    /// <summary>No more reading from <paramref name="pipe"/>: its unfinished line is ended, unless another pipe wrote to the sink since.</summary>
    private void Close(PipeWatch pipe, HashSet<IOutputSink> touched)
    {
        if (pipe.Growth == PipeGrowth.Outcome.Grown) _growth.Released();
        pipe.Growth = PipeGrowth.Outcome.Never;
        if (pipe.Output is { } w && (!_lastSource.TryGetValue(w, out var last) || last == pipe))
        {
            _lastSource.Remove(w);
            w.CompletePartialLine();
            touched.Add(w);
        }
        Remove(pipe);
    }

    private void Reap(ExitWatch exit, byte* buffer, HashSet<IOutputSink> touched)
    {
        // Everything the main process wrote is in the pipe now, and a pipe holds at most its capacity: reading that
        // much takes all of it before the exit is announced. What comes after is a descendant's (`yes &`), read on
        // later turns like any output, until the runner has stopped the rest of the group and the pipe ends.
        // Asked now, not at launch: the process may have resized its pipe itself.
        if (exit.Pipe is { Closed: false } pipe) Pump(pipe, buffer, touched, Capacity(pipe.Fd));
        if (exit.ErrorPipe is { Closed: false } errorPipe) Pump(errorPipe, buffer, touched, Capacity(errorPipe.Fd));
        foreach (var writer in touched) Flush(writer);
        touched.Clear();
        int status;
        int rc;
        do { rc = LibC.waitpid(exit.Handle.Pid, &status, LibC.WNOHANG); }
        while (rc < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR);
        if (rc == 0) return; // spurious wake-up: not exited yet
        Remove(exit);
        if (exit.ClosePipeAtExit)
        {
            if (exit.Pipe is { Closed: false } rest) Close(rest, touched);
            if (exit.ErrorPipe is { Closed: false } errorRest) Close(errorRest, touched);
            foreach (var writer in touched) Flush(writer);
            touched.Clear();
        }
        // ECHILD means someone else reaped it (a runtime reaping everything): the code is unknown.
        var result = rc > 0 ? ExitStatus.FromWaitStatus(status) : ExitStatus.Exited(255);
        exit.Handle.MarkReaped();
        exit.OnExit(result);
    }

    private void WriteSafely(IOutputSink writer, ReadOnlySpan<byte> data)
    {
        try { writer.Write(data); }
        catch (Exception e) when (e is ObjectDisposedException or LogWriteException or IOException)
        {
            _onError($"log {writer}", e);
        }
    }

    private void Flush(IOutputSink writer)
    {
        try { writer.Flush(); }
        catch (Exception e) when (e is ObjectDisposedException or LogWriteException or IOException)
        {
            _onError($"log {writer}", e);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        long one = 1;
        LibC.write(_wakeFd, (byte*)&one, 8);
        _thread.Join(TimeSpan.FromSeconds(5));
        // Children still watched now (a supervision torn down without stopping them first) would have nobody to
        // reap them: they would run on unsupervised, or stay zombies of this process. They are ended here.
        foreach (var exit in _watches.Values.OfType<ExitWatch>()) UnwatchedChild.KillAndReapWithin(exit.Handle, TimeSpan.FromSeconds(2));
        foreach (var watch in _watches.Values) LibC.close(watch.Fd);
        LibC.close(_wakeFd);
        LibC.close(_epoll);
    }
}
