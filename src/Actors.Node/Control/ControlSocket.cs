using System.Net.Sockets;

namespace Actors.Node.Control;

/// <summary>A control socket that cannot be used: another node answers on it, or its folder is unusable.</summary>
internal sealed class ControlSocketException(string message) : Exception(message);

/// <summary>
/// Prepares the control socket's place before Kestrel binds it, and locks it down after: the folder is 0700
/// and the socket 0600, so only the node's user can talk to the node (connecting needs write access).
/// </summary>
internal static class ControlSocket
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlySocket = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Creates the folder (0700) if missing, and tightens the state-dir to 0700 as the node owns it. A socket
    /// file left by a node that died is removed; one that still answers belongs to a running node.
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
        if (!Path.Exists(socketPath)) return;
        if (!Actors.Logging.FileKind.IsSocket(socketPath))
            throw new ControlSocketException($"{socketPath} exists and is not a socket; move it away or set actors.node.control-socket to another path");
        if (Answers(socketPath))
            throw new ControlSocketException($"another node is listening on {socketPath}; stop it ('actors shutdown --socket {socketPath}') or give this node another actors.node.state-dir or control-socket");
        try
        {
            File.Delete(socketPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ControlSocketException($"cannot remove the stale control socket {socketPath}: {e.Message}");
        }
    }

    /// <summary>Called once Kestrel has bound the socket.</summary>
    public static void LockDown(string socketPath) => File.SetUnixFileMode(socketPath, OwnerOnlySocket);

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
