using Actors.Native;
using System.Runtime.InteropServices;
using System.Text;

namespace Actors.Processes.Native;

/// <summary>
/// Starts a child with <c>posix_spawn</c>: one exec, no fork of the runtime's address space, the child the
/// leader of a new session and process group (PID == PGID), stdin from /dev/null, stdout and stderr both
/// dup'ed onto one pipe so their lines stay in order of arrival (or, asked for, stderr onto a pipe of its own), no other descriptor of the node's inherited, every signal back to its default
/// disposition (.NET ignores SIGPIPE; a child must not inherit that) and an empty signal mask.
/// </summary>
internal static unsafe class Spawner
{
    // glibc's posix_spawnattr_t is 336 bytes and posix_spawn_file_actions_t 80 on x86_64; sigset_t is 128.
    // Generous sizes keep us safe on other architectures.
    private const int AttrSize = 1024, ActionsSize = 512, SigsetSize = 256;

    /// <summary><paramref name="ErrorFd"/>: the read end of stderr's own pipe when it was asked apart, else -1.</summary>
    public readonly record struct Result(int Pid, int OutputFd, int Errno, string? FailedStep, int ErrorFd = -1);

    /// <summary>For <c>stdinFd</c>: the child keeps the caller's own stdin (<c>actors exec</c>).</summary>
    public const int OwnStdin = -2;

    /// <param name="stdinFd">Becomes the child's stdin; -1 for /dev/null, <see cref="OwnStdin"/> for the caller's.</param>
    /// <param name="captureOutput">True: stdout and stderr go to a new pipe whose read end is returned. False:
    /// the child writes to the caller's own stdout and stderr (the watchdog, and the commands of actors exec).</param>
    /// <param name="separateStderr">With <paramref name="captureOutput"/>: stderr gets a pipe of its own (<c>log.stderr =
    /// separate</c>), its read end returned as <see cref="Result.ErrorFd"/>.</param>
    public static Result Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp, string workingDir,
        int stdinFd = -1, bool captureOutput = true, bool separateStderr = false)
    {
        int readFd = -1, writeFd = -1, errorReadFd = -1, errorWriteFd = -1;
        if (captureOutput)
        {
            if (!OpenPipe(out readFd, out writeFd)) return new Result(0, -1, Marshal.GetLastPInvokeError(), "pipe");
            if (separateStderr && !OpenPipe(out errorReadFd, out errorWriteFd))
            {
                int errno = Marshal.GetLastPInvokeError();
                LibC.close(readFd);
                LibC.close(writeFd);
                return new Result(0, -1, errno, "pipe");
            }
        }

        using var strings = new NativeStrings();
        byte* cPath = strings.Add(path);
        byte** cArgv = strings.AddArray(argv);
        byte** cEnvp = strings.AddArray(envp);
        byte* cDir = strings.Add(workingDir);
        byte* cNull = strings.Add("/dev/null");

        void* actions = NativeMemory.AllocZeroed(ActionsSize);
        void* attr = NativeMemory.AllocZeroed(AttrSize);
        void* sigset = NativeMemory.AllocZeroed(SigsetSize);
        try
        {
            LibC.posix_spawn_file_actions_init(actions);
            if (stdinFd >= 0) LibC.posix_spawn_file_actions_adddup2(actions, stdinFd, 0);
            else if (stdinFd != OwnStdin) LibC.posix_spawn_file_actions_addopen(actions, 0, cNull, LibC.O_RDONLY, 0);
            if (captureOutput)
            {
                LibC.posix_spawn_file_actions_adddup2(actions, writeFd, 1);
                LibC.posix_spawn_file_actions_adddup2(actions, errorWriteFd >= 0 ? errorWriteFd : writeFd, 2);
            }
            LibC.posix_spawn_file_actions_addchdir_np(actions, cDir);
            // The runtime keeps descriptors of its own open without close-on-exec (a /dev/null, its signal
            // pipe): a child gets stdin, stdout and stderr and nothing else of the node's.
            LibC.posix_spawn_file_actions_addclosefrom_np(actions, 3);

            LibC.posix_spawnattr_init(attr);
            LibC.posix_spawnattr_setflags(attr,
                (short)(LibC.POSIX_SPAWN_SETSID | LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF));
            LibC.sigemptyset(sigset);
            LibC.posix_spawnattr_setsigmask(attr, sigset);
            LibC.sigfillset(sigset);
            LibC.posix_spawnattr_setsigdefault(attr, sigset);

            int pid;
            int rc = LibC.posix_spawn(&pid, cPath, actions, attr, cArgv, cEnvp);
            if (writeFd >= 0) LibC.close(writeFd);
            if (errorWriteFd >= 0) LibC.close(errorWriteFd);
            if (rc != 0)
            {
                if (readFd >= 0) LibC.close(readFd);
                if (errorReadFd >= 0) LibC.close(errorReadFd);
                return new Result(0, -1, rc, "exec");
            }
            return new Result(pid, readFd, 0, null, errorReadFd);
        }
        finally
        {
            LibC.posix_spawn_file_actions_destroy(actions);
            LibC.posix_spawnattr_destroy(attr);
            NativeMemory.Free(actions);
            NativeMemory.Free(attr);
            NativeMemory.Free(sigset);
        }
    }

    private static bool OpenPipe(out int readFd, out int writeFd)
    {
        int* fds = stackalloc int[2];
        readFd = writeFd = -1;
        if (LibC.pipe2(fds, LibC.O_CLOEXEC) != 0) return false;
        (readFd, writeFd) = (fds[0], fds[1]);
        // Only our end is non-blocking: the child's stdout must block like any ordinary pipe.
        LibC.fcntl(readFd, LibC.F_SETFL, LibC.fcntl(readFd, LibC.F_GETFL, 0) | LibC.O_NONBLOCK);
        // The kernel's default size: the pump grows the pipe of a child that fills it (PipeGrowth says why not here).
        return true;
    }

    /// <summary>NUL-terminated UTF-8 copies that live until the spawn returns.</summary>
    private sealed class NativeStrings : IDisposable
    {
        private readonly List<nint> _blocks = new();

        public byte* Add(string s)
        {
            int n = Encoding.UTF8.GetByteCount(s);
            byte* p = (byte*)NativeMemory.Alloc((nuint)n + 1);
            Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
            p[n] = 0;
            _blocks.Add((nint)p);
            return p;
        }

        public byte** AddArray(IReadOnlyList<string> items)
        {
            byte** array = (byte**)NativeMemory.Alloc((nuint)(items.Count + 1), (nuint)sizeof(nint));
            _blocks.Add((nint)array);
            for (int i = 0; i < items.Count; i++) array[i] = Add(items[i]);
            array[items.Count] = null;
            return array;
        }

        public void Dispose()
        {
            foreach (var p in _blocks) NativeMemory.Free((void*)p);
        }
    }
}
