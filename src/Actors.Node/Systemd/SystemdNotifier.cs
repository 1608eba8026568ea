using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Actors.Node.Systemd;

/// <summary>
/// The sending half of systemd's notify protocol (sd_notify(3)): one datagram of <c>KEY=VALUE</c> lines to the
/// unix socket <c>$NOTIFY_SOCKET</c> names (a path, or <c>@name</c> in the abstract namespace). Disabled (every
/// send a no-op) when the node was not started by systemd with <c>Type=notify</c>.
/// </summary>
/// <remarks>
/// Our own rather than Microsoft.Extensions.Hosting.Systemd: that package sends READY=1 when the host has started
/// (before any process reached its start state), has no watchdog, no RELOADING=1 and no STATUS= of our own, and
/// would swap the console logger's format; what we need is a datagram send, which this is.
/// </remarks>
internal sealed class SystemdNotifier : IDisposable
{
    public const string SocketVariable = "NOTIFY_SOCKET";
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _target;
    private readonly Action<string>? _onError;
    private bool _errorReported;

    private SystemdNotifier(string? socketPath, TimeSpan? watchdogInterval, Action<string>? onError)
    {
        _onError = onError;
        WatchdogInterval = watchdogInterval;
        if (string.IsNullOrEmpty(socketPath)) return;
        // "@name" is the abstract namespace, which the endpoint spells with a leading NUL.
        _target = new UnixDomainSocketEndPoint(socketPath[0] == '@' ? "\0" + socketPath[1..] : socketPath);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        SocketPath = socketPath;
    }

    /// <summary>A notifier that sends nothing.</summary>
    public static SystemdNotifier Disabled { get; } = new(null, null, null);

    public bool Enabled => _socket is not null;

    public string? SocketPath { get; }

    /// <summary>How often to send WATCHDOG=1: half of WATCHDOG_USEC (as sd_watchdog_enabled advises); null without a watchdog.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>
    /// Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID, then removes them from this process's environment, so
    /// that no supervised process inherits them and speaks to systemd in the node's name (sd_notify's
    /// unset_environment). The watchdog applies only when WATCHDOG_PID is unset or this process's pid.
    /// </summary>
    public static SystemdNotifier FromEnvironment(Action<string> onError)
    {
        var socket = Environment.GetEnvironmentVariable(SocketVariable);
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        foreach (var name in new[] { SocketVariable, "WATCHDOG_USEC", "WATCHDOG_PID" }) Environment.SetEnvironmentVariable(name, null);
        if (string.IsNullOrEmpty(socket)) return Disabled;
        TimeSpan? interval = null;
        var forUs = string.IsNullOrEmpty(pid) || pid == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (forUs && long.TryParse(usec, out var micros) && micros > 0) interval = TimeSpan.FromMicroseconds(micros / 2.0);
        return new SystemdNotifier(socket, interval, onError);
    }

    /// <summary>Sends one notification (lines joined by newlines). Failures are reported once, never thrown: systemd gone is no reason to stop supervising.</summary>
    public void Send(params string[] lines)
    {
        if (_socket is null) return;
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(string.Join('\n', lines)), SocketFlags.None, _target!);
            _errorReported = false;
        }
        catch (SocketException e)
        {
            if (_errorReported) return;
            _errorReported = true;
            _onError?.Invoke($"sd_notify to {SocketPath} failed: {e.Message}");
        }
    }

    /// <summary>RELOADING=1 with the CLOCK_MONOTONIC time systemd asks for since version 253 (Stopwatch reads that clock on Linux).</summary>
    public void Reloading(string status) =>
        Send("RELOADING=1", $"MONOTONIC_USEC={Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000)}", $"STATUS={status}");

    public void Dispose() => _socket?.Dispose();
}
