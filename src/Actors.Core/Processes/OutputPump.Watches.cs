using Actors.Logging;

namespace Actors.Processes;

// What the pump watches: a child's output pipe, and a child's exit (its pidfd).
internal sealed partial class OutputPump
{
    private abstract class Watch(int fd)
    {
        public int Fd { get; } = fd;
        public ulong Token { get; set; }
        public bool Closed { get; set; }
        public abstract string Describe();
    }

    private sealed class PipeWatch(int fd, IOutputSink? output) : Watch(fd)
    {
        public IOutputSink? Output { get; } = output;
        // Pump thread only: the bytes its last read got, and whether it is out of the epoll set, read every CoalesceMs.
        public long ReadBefore { get; set; }
        public bool Polled { get; set; }
        // Pump thread only: whether it grew (PipeGrowth), or may be asked to on its next full read.
        public PipeGrowth.Outcome Growth { get; set; } = PipeGrowth.Outcome.Later;
        public override string Describe() => $"output pipe {Fd}";
    }

    private sealed class ExitWatch(LinuxProcessHandle handle, int pidfd, PipeWatch? pipe, PipeWatch? errorPipe, Action<ExitStatus> onExit,
        bool closePipeAtExit) : Watch(pidfd)
    {
        public LinuxProcessHandle Handle { get; } = handle;
        public PipeWatch? Pipe { get; } = pipe;
        public PipeWatch? ErrorPipe { get; } = errorPipe;
        public Action<ExitStatus> OnExit { get; } = onExit;
        public bool ClosePipeAtExit { get; } = closePipeAtExit;
        public override string Describe() => $"exit of pid {Handle.Pid}";
    }
}
