using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Actors.Native;

namespace Actors.Node.Control;

/// <summary>A control socket that cannot be used: another node answers on it, or its folder is unusable.</summary>
internal sealed class ControlSocketException(string message) : Exception(message);

/// <summary>
/// Opens the control socket so that no one but the node's user (and root) can ever reach it: the socket is
/// 0600 from the moment its name appears at the configured path, whatever folder the operator chose.
/// <para>
/// How: the socket is bound inside a fresh private folder (0700, created by this node: <c>mkdir</c> fails if
/// the name exists, so no one else can have prepared it), made 0600 there, listened on, and only then renamed
/// to its path. A bind creates the socket file with 0777 minus the umask; in the private folder that mode
/// reaches no one. The other way, narrowing the umask around the bind, was not taken: the umask is one per
/// process, and the node's other threads (the spawner starting children, log files being opened) would
/// inherit the narrowed one during that moment.
/// </para>
/// <para>
/// Links: a symbolic link at the socket path is refused with an error naming it (the node never binds,
/// connects or deletes through one). The final rename replaces the name itself and never follows a link, and
/// <c>RENAME_NOREPLACE</c> makes it fail if anything appeared at the path since it was checked.
/// </para>
/// </summary>
internal static class ControlSocket
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlySocket = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const int Backlog = 512; // Kestrel's default

    /// <summary>
    /// Prepares the path (<see cref="Prepare"/>), then binds and listens (<see cref="Bind"/>). Disposing the
    /// result removes the socket's name and closes it.
    /// </summary>
    public static Listening Open(string socketPath, string stateDir)
    {
        Prepare(socketPath, stateDir);
        return new Listening(Bind(socketPath), socketPath);
    }

    /// <summary>The node's listening control socket, for Kestrel to serve (by its handle) until the node stops.</summary>
    internal sealed class Listening(Socket socket, string path) : IDisposable
    {
        public Socket Socket { get; } = socket;

        public void Dispose()
        {
            // The name goes first, so no client finds a socket nobody answers; a link put there is not ours.
            try
            {
                if (new FileInfo(path).LinkTarget is null && Actors.Logging.FileKind.IsSocket(path)) File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left behind: the next node removes a stale socket itself.
            }
            Socket.Dispose();
        }
    }

    /// <summary>
    /// Creates the folder (0700) if missing, and tightens the state-dir to 0700 as the node owns it. A socket
    /// file left by a node that died is removed; one that still answers belongs to a running node; a link or
    /// any other kind of file is left alone and refused.
    /// </summary>
    public static void Prepare(string socketPath, string stateDir)
    {
        var folder = Path.GetDirectoryName(socketPath)!;
        try
        {
            if (!Directory.Exists(folder)) Directory.CreateDirectory(folder, OwnerOnlyFolder);
            if (Path.TrimEndingDirectorySeparator(folder) == Path.TrimEndingDirectorySeparator(stateDir))
                File.SetUnixFileMode(folder, OwnerOnlyFolder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ControlSocketException($"cannot prepare the folder of the control socket {socketPath}: {e.Message}; point actors.node.control-socket at a writable place");
        }
        // LinkTarget reads the link itself (lstat), so a dangling link is seen too; Path.Exists would follow it.
        if (new FileInfo(socketPath).LinkTarget is { } target)
            throw new ControlSocketException($"{socketPath} is a symbolic link (to {target}); the node does not follow links at its control socket path: remove it or set actors.node.control-socket to another path");
        if (!Path.Exists(socketPath)) return;
        if (!Actors.Logging.FileKind.IsSocket(socketPath))
            throw new ControlSocketException($"{socketPath} exists and is not a socket; move it away or set actors.node.control-socket to another path");
        if (Answers(socketPath))
            throw new ControlSocketException($"another node is listening on {socketPath}; stop it ('actors shutdown --socket {socketPath}') or give this node another actors.node.state-dir or control-socket");
        try
        {
            File.Delete(socketPath); // unlink: removes the name, never what a link would point to
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ControlSocketException($"cannot remove the stale control socket {socketPath}: {e.Message}");
        }
    }

    /// <summary>
    /// A listening socket at <paramref name="socketPath"/>, mode 0600 before its name appears there (see the
    /// class comment). The caller owns it and hands its handle to Kestrel.
    /// </summary>
    public static Socket Bind(string socketPath)
    {
        var folder = Path.GetDirectoryName(socketPath)!;
        // Short: the private path must fit in sun_path (108 bytes) whenever the final one does. Unguessable, so that no
        // one can make the bind fail by creating the folder first: Guid.NewGuid draws from the kernel's random source (as
        // RandomNumberGenerator does) without loading OpenSSL, which RandomNumberGenerator does on Linux. OpenSSL then stays
        // mapped for good (libcrypto, libssl, System.Security.Cryptography: 5.5 MiB resident). Akka 1.5.74 loads it too
        // today: its ThreadLocalRandom seeds itself from RandomNumberGenerator at the first actor (bench/README.md).
        Span<byte> random = stackalloc byte[16];
        Guid.NewGuid().TryWriteBytes(random);
        var privateFolder = Path.Combine(folder, "." + Convert.ToHexStringLower(random[..3]));
        var bindPath = Path.Combine(privateFolder, "s");
        MakePrivateFolder(privateFolder, socketPath);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            try
            {
                socket.Bind(new UnixDomainSocketEndPoint(bindPath));
                File.SetUnixFileMode(bindPath, OwnerOnlySocket);
                // Listening before the name appears: a client never finds a socket that refuses connections.
                socket.Listen(Backlog);
            }
            catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
            {
                throw new ControlSocketException($"cannot bind the control socket {socketPath} (in {privateFolder}): {e.Message}");
            }
            MoveIntoPlace(bindPath, socketPath);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        finally
        {
            try { File.Delete(bindPath); } catch (IOException) { } // only there when the rename failed
            try { Directory.Delete(privateFolder); } catch (IOException) { }
        }
    }

    private static unsafe void MakePrivateFolder(string path, string socketPath)
    {
        fixed (byte* p = Encoding.UTF8.GetBytes(path + "\0"))
        {
            if (LibC.mkdir(p, 0b111_000_000) != 0)
                throw new ControlSocketException($"cannot create a private folder {path} to bind the control socket {socketPath}: {LibC.ErrorText(Marshal.GetLastPInvokeError())}; point actors.node.control-socket at a writable place");
        }
    }

    private static unsafe void MoveIntoPlace(string from, string to)
    {
        fixed (byte* f = Encoding.UTF8.GetBytes(from + "\0"))
        fixed (byte* t = Encoding.UTF8.GetBytes(to + "\0"))
        {
            if (LibC.renameat2(LibC.AT_FDCWD, f, LibC.AT_FDCWD, t, LibC.RENAME_NOREPLACE) == 0) return;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINVAL)
            {
                // A file system without RENAME_NOREPLACE: a plain rename still replaces the name and follows no link.
                if (LibC.renameat2(LibC.AT_FDCWD, f, LibC.AT_FDCWD, t, 0) == 0) return;
                errno = Marshal.GetLastPInvokeError();
            }
            if (errno == LibC.EEXIST)
                throw new ControlSocketException($"{to} appeared while the node was binding its control socket (another node, or a file planted there); nothing was replaced");
            throw new ControlSocketException($"cannot move the control socket into place at {to}: {LibC.ErrorText(errno)}");
        }
    }

    private static bool Answers(string socketPath)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
