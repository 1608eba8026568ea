using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Actors.Probes;

/// <summary>
/// The receiving end of systemd's notify protocol for one run of a <c>readiness = notify</c> process: a unix
/// datagram socket, bound before the run starts (its path goes into the run's NOTIFY_SOCKET), in a folder only
/// the node's user may enter. Each datagram is handed to <c>onMessage</c> as text, on a pool thread. One socket
/// per run, so a late message of an earlier run never reaches a later one.
/// </summary>
public sealed class NotifySocket : IDisposable
{
    private const int MaxMessage = 4096; // sd_notify messages are a few lines
    // sockaddr_un.sun_path holds 108 bytes with the terminating NUL.
    private const int MaxPathBytes = 107;
    private readonly Socket _socket;

    private NotifySocket(Socket socket, string path)
    {
        _socket = socket;
        Path = path;
    }

    /// <summary>The socket's path: the value of NOTIFY_SOCKET for the run.</summary>
    public string Path { get; }

    /// <summary>
    /// Binds <c>&lt;folder&gt;/&lt;name&gt;.&lt;run&gt;</c> (a short hash of the name when the path would not fit in
    /// a socket address) and starts reading. Throws <see cref="IOException"/> with a message that says what to do.
    /// </summary>
    public static NotifySocket Open(string folder, string name, int run, Action<string> onMessage)
    {
        var path = System.IO.Path.Combine(folder, $"{name}.{run}");
        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
            path = System.IO.Path.Combine(folder, $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..12]}.{run}");
        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
            throw new IOException($"the notify socket path {path} is longer than a unix socket allows ({MaxPathBytes} bytes); use a shorter state-dir");
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            // 0700: no other user may speak for our processes. (The guard only keeps the platform analyzer satisfied.)
            if (OperatingSystem.IsWindows()) throw new IOException("notify sockets need Linux");
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.Delete(path); // left by a node that died
            socket.Bind(new UnixDomainSocketEndPoint(path));
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            socket.Dispose();
            throw new IOException($"cannot open the notify socket {path}: {e.Message}", e);
        }
        var notify = new NotifySocket(socket, path);
        _ = notify.ReadAsync(onMessage);
        return notify;
    }

    private async Task ReadAsync(Action<string> onMessage)
    {
        var buffer = new byte[MaxMessage];
        try
        {
            while (true)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                onMessage(Encoding.UTF8.GetString(buffer, 0, n));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Closed: the run is over.
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // Already gone with its folder.
        }
    }
}
