using System.Runtime.InteropServices;

namespace Actors.Native;

/// <summary>
/// Every libc call and constant the project makes or uses, declared once. Kept raw: the rest of the code sees
/// <c>Spawner</c>, <c>ProcessGroupSignal</c>, <c>OutputPump</c>, <see cref="SmallFiles"/> and <see cref="AtomicFile"/>,
/// rarely these.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ESRCH = 3;
    public const int ECHILD = 10;
    public const int ELOOP = 40;
    public const int EINVAL = 22;

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_TRUNC = 0x200;
    public const int O_DIRECTORY = 0x10000;
    public const int O_APPEND = 0x400;
    // The one flag here whose value differs: arm64 (and arm) keep the older numbering of O_NOFOLLOW.
    public static readonly int O_NOFOLLOW = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int F_SETPIPE_SZ = 1031;
    public const int F_GETPIPE_SZ = 1032;

    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const short POSIX_SPAWN_SETSID = 0x80;

    public const int WNOHANG = 1;
    public const int WEXITED = 4;
    public const int P_PIDFD = 3;
    public const int P_PID = 1;
    public const int WNOWAIT = 0x01000000;

    // prctl: orphaned descendants are re-parented to the nearest ancestor marked as subreaper instead of init.
    public const int PR_SET_CHILD_SUBREAPER = 36;
    // pidfd_send_signal flag (Linux 6.9): signal the process group whose id is the pidfd's pid (the pinned struct pid).
    public const uint PIDFD_SIGNAL_PROCESS_GROUP = 4;

    public const int EPOLLIN = 0x001;
    public const int EPOLLERR = 0x008;
    public const int EPOLLHUP = 0x010;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;

    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;

    public const int LOCK_EX = 2, LOCK_NB = 4;
    public const int EWOULDBLOCK = 11;
    private const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_NLINK = 0x4;

    public const short POLLIN = 0x001;

    private const long SYS_pidfd_open = 434; // same number on every architecture (new syscall table)
    private const long SYS_pidfd_send_signal = 424;

    [LibraryImport(Lib, SetLastError = true)] public static partial int pipe2(int* fds, int flags);
    [LibraryImport(Lib, SetLastError = true)] public static partial int fcntl(int fd, int cmd, int arg);
    [LibraryImport(Lib, SetLastError = true)] public static partial int close(int fd);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint read(int fd, byte* buf, nint count);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint write(int fd, byte* buf, nint count);
    [LibraryImport(Lib, SetLastError = true)] public static partial int kill(int pid, int sig);
    [LibraryImport(Lib, SetLastError = true)] public static partial int waitpid(int pid, int* status, int options);
    [LibraryImport(Lib, SetLastError = true)] public static partial long syscall(long number, long a1, long a2);
    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)] private static partial long syscall4(long number, long a1, long a2, long a3, long a4);
    [LibraryImport(Lib, SetLastError = true)] public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
    [LibraryImport(Lib, SetLastError = true)] public static partial int waitid(int idtype, int id, void* infop, int options);
    [LibraryImport(Lib, SetLastError = true)] public static partial int getpid();

    [LibraryImport(Lib, SetLastError = true)] public static partial int epoll_create1(int flags);
    [LibraryImport(Lib, SetLastError = true)] public static partial int epoll_ctl(int epfd, int op, int fd, byte* ev);
    [LibraryImport(Lib, SetLastError = true)] public static partial int epoll_wait(int epfd, byte* events, int maxEvents, int timeout);
    [LibraryImport(Lib, SetLastError = true)] public static partial int eventfd(uint initval, int flags);
    [LibraryImport(Lib, SetLastError = true)] public static partial int poll(void* fds, nuint count, int timeout);

    [LibraryImport(Lib)] public static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);
    [LibraryImport(Lib)] public static partial int posix_spawn_file_actions_init(void* fa);
    [LibraryImport(Lib)] public static partial int posix_spawn_file_actions_destroy(void* fa);
    [LibraryImport(Lib)] public static partial int posix_spawn_file_actions_adddup2(void* fa, int fd, int newfd);
    [LibraryImport(Lib)] public static partial int posix_spawn_file_actions_addopen(void* fa, int fd, byte* path, int oflag, uint mode);
    [LibraryImport(Lib)] public static partial int posix_spawn_file_actions_addchdir_np(void* fa, byte* path);
    [LibraryImport(Lib)] public static partial int posix_spawn_file_actions_addclosefrom_np(void* fa, int from);
    [LibraryImport(Lib)] public static partial int posix_spawnattr_init(void* attr);
    [LibraryImport(Lib)] public static partial int posix_spawnattr_destroy(void* attr);
    [LibraryImport(Lib)] public static partial int posix_spawnattr_setflags(void* attr, short flags);
    [LibraryImport(Lib)] public static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);
    [LibraryImport(Lib)] public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);
    [LibraryImport(Lib)] public static partial int sigemptyset(void* set);
    [LibraryImport(Lib)] public static partial int sigfillset(void* set);
    [LibraryImport(Lib)] public static partial byte* strerror(int errnum);

    [LibraryImport(Lib, SetLastError = true)] public static partial int access(byte* path, int mode);
    // For the node's state file: a rename is only durable once its folder is synced (.NET cannot open folders).
    // For log files: O_NOFOLLOW, which .NET cannot ask for. mode matters only with O_CREAT.
    [LibraryImport(Lib, SetLastError = true)] public static partial int open(byte* path, int flags, uint mode);
    [LibraryImport(Lib, SetLastError = true)] public static partial int fsync(int fd);
    public const int X_OK = 1;

    // Lock, lease and state files (by path: they are opened outside a spawn, where allocating is fine).
    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int open(string path, int flags, uint mode);
    [LibraryImport(Lib, SetLastError = true)] public static partial int flock(int fd, int operation);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint pread(int fd, byte* buffer, nint count, long offset);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int rename(string from, string to);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int unlink(string path);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int link(string existing, string newPath);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);
    public const int StatxEmptyPath = AT_EMPTY_PATH, StatxNlinkOffset = 16;
    // stx_mode (u16) and the file type bits in it, for env files (a FIFO must not be read).
    public const uint STATX_TYPE = 0x1;
    public const int StatxModeOffset = 28, S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000;

    // For the node's control socket (bound in a private folder, then renamed into place; see ControlSocket).
    [LibraryImport(Lib, SetLastError = true)] public static partial int mkdir(byte* path, uint mode);
    [LibraryImport(Lib, SetLastError = true)] public static partial int renameat2(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, uint flags);
    [LibraryImport(Lib)] public static partial uint geteuid();
    public const int AT_FDCWD = -100;
    public const uint RENAME_NOREPLACE = 1;
    public const int EEXIST = 17;
    // getsockopt(SOL_SOCKET, SO_PEERCRED) fills a struct ucred { pid_t pid; uid_t uid; gid_t gid; } (x86-64 and arm64 numbers).
    public const int SOL_SOCKET = 1;
    public const int SO_PEERCRED = 17;

    // The integration tests watch with inotify how the control socket's name appears (only by a rename).
    [LibraryImport(Lib, SetLastError = true)] public static partial int inotify_init1(int flags);
    [LibraryImport(Lib, SetLastError = true)] public static partial int inotify_add_watch(int fd, byte* path, uint mask);
    public const uint IN_MOVED_TO = 0x80, IN_CREATE = 0x100, IN_ISDIR = 0x40000000;

    // user, group, limits, nice, oom-score-adjust (see Accounts): names through the name service, as id(1) resolves them.
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial int getpwnam_r(string name, byte* pwd, byte* buf, nuint buflen, byte** result);
    [LibraryImport(Lib)] public static partial int getpwuid_r(uint uid, byte* pwd, byte* buf, nuint buflen, byte** result);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial int getgrnam_r(string name, byte* grp, byte* buf, nuint buflen, byte** result);
    [LibraryImport(Lib)] public static partial int getgrgid_r(uint gid, byte* grp, byte* buf, nuint buflen, byte** result);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial int getgrouplist(string user, uint group, uint* groups, int* ngroups);
    [LibraryImport(Lib, SetLastError = true)] public static partial int getgroups(int size, uint* list);
    [LibraryImport(Lib)] public static partial uint getegid();
    [LibraryImport(Lib, SetLastError = true)] public static partial int getrlimit(int resource, ulong* rlim);
    // struct passwd and struct group on LP64 (x86-64, arm64): offsets of the fields read.
    public const int PasswdSize = 48, PwName = 0, PwUid = 16, PwGid = 20, PwDir = 32, PwShell = 40;
    public const int GroupSize = 32, GrName = 0, GrGid = 16;
    public const int RLIMIT_CORE = 4, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8;
    public const ulong RLIM_INFINITY = ulong.MaxValue;

    // IdleMemoryTrim (the node): gives the free pages of malloc's heaps back (glibc), the JIT's and the runtime's own memory.
    [LibraryImport(Lib)] public static partial int malloc_trim(nuint pad);
    // ... and the pages of libraries only its start used (StartupOnlyLibraries): MADV_PAGEOUT since Linux 5.4.
    [LibraryImport(Lib, SetLastError = true)] public static partial int madvise(void* addr, nuint length, int advice);
    public const int MADV_PAGEOUT = 21;

    // OutputPump's read buffer: mapped apart from malloc's heap and faulted in at once (see ResidentBuffer).
    [LibraryImport(Lib, SetLastError = true)] public static partial void* mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);
    [LibraryImport(Lib, SetLastError = true)] public static partial int munmap(void* addr, nuint length);
    public const int PROT_READ = 1, PROT_WRITE = 2;
    public const int MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_POPULATE = 0x8000; // same on x86-64 and arm64

    public static int PidfdOpen(int pid) => (int)syscall(SYS_pidfd_open, pid, 0);

    /// <summary>pidfd_send_signal(2) without siginfo; 0 or -1 with errno.</summary>
    public static int PidfdSendSignal(int pidfd, int signal, uint flags) => (int)syscall4(SYS_pidfd_send_signal, pidfd, signal, 0, flags);

    public static string ErrorText(int errno) => Marshal.PtrToStringUTF8((nint)strerror(errno)) ?? $"errno {errno}";
}
