using Actors.Configuration;
using Actors.Logging;
using Actors.Native;

namespace Actors.Processes;

internal sealed unsafe partial class OutputPump
{
    // Lines more than a tail keeps (its capacity is 2 here) take the bulk path; the unfinished last line is held.
    private static ReadOnlySpan<byte> RehearsalLines => "rehearsal 1\nrehearsal 2\nrehearsal 3\nrehearsal 4\nunfinished"u8;

    /// <summary>
    /// Before the pump first waits: a pipe of its own pumped end to end into a log writer on /dev/null, once without
    /// and once with timestamps: a default pipe's worth (a full read, as a fast writer's), then a few lines, then the
    /// end. A child's first output otherwise pays for all that runs for the first time in the process: ReadyToRun
    /// fixups and stubs along the path, the binding of the read, fcntl and pwrite imports, the JIT of CoreLib's generic
    /// span searches over <c>byte</c> (no ReadyToRun image holds them, and the node runs without tiered compilation),
    /// the pump's own collections. perf on the pump thread showed that work before the first write of a 64 KiB burst,
    /// and the log's first byte came later than supervisord's (bench/README.md, issue 14, stop 32). /dev/null is
    /// seekable: it is written with pwrite, as a log file is. Best effort: a failure leaves that path cold, and never
    /// keeps the pump from serving the children.
    /// What it allocates is garbage afterwards, but for the 64 KiB write buffer it leaves in the shared array pool,
    /// where the first buffered write of a log takes it.
    /// </summary>
    private void Rehearse(byte* buffer, HashSet<IOutputSink> touched)
    {
        var scratch = new Span<byte>(buffer, PipeGrowth.DefaultBytes);
        for (var at = 0; at < scratch.Length; at += RehearsalLines.Length)
            RehearsalLines[..Math.Min(RehearsalLines.Length, scratch.Length - at)].CopyTo(scratch[at..]);
        int* fds = stackalloc int[2];
        foreach (var timestamps in (ReadOnlySpan<bool>)[false, true])
        {
            if (LibC.pipe2(fds, LibC.O_CLOEXEC | LibC.O_NONBLOCK) != 0) return;
            ProcessLogWriter? writer = null;
            PipeWatch? pipe = null;
            try
            {
                writer = new ProcessLogWriter(new LogSettings("/dev/null", long.MaxValue, 0, timestamps), new LogTail(2));
                pipe = new PipeWatch(fds[0], writer);
                foreach (var chunk in (ReadOnlySpan<int>)[scratch.Length, RehearsalLines.Length])
                {
                    if (chunk == RehearsalLines.Length) RehearsalLines.CopyTo(scratch);
                    if (LibC.write(fds[1], buffer, chunk) != chunk) break;
                    Pump(pipe, buffer, touched, BytesPerTurn);
                }
                LibC.close(fds[1]);
                fds[1] = -1;
                // The end: the pipe is closed and dropped as a child's is, its unfinished line ended.
                Pump(pipe, buffer, touched, BytesPerTurn);
                foreach (var w in touched) Flush(w);
            }
            catch (Exception e) when (e is LogWriteException or IOException or UnauthorizedAccessException)
            {
                // No /dev/null to write (an unusual sandbox): the first output warms the path itself.
            }
            catch (Exception e)
            {
                // Reported like a failure while pumping a child's pipe; the pump goes on to serve the children.
                _onError("the output pump's warm-up through /dev/null", e);
            }
            finally
            {
                touched.Clear();
                if (pipe is null) LibC.close(fds[0]);
                else if (!pipe.Closed) Remove(pipe);
                if (fds[1] >= 0) LibC.close(fds[1]);
                writer?.Dispose();
            }
        }
    }
}
