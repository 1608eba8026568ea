using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Actors.Integration.Tests;

/// <summary>
/// Plays systemd's side of sd_notify: a unix datagram socket that collects every notification, in order, with
/// when it came. <see cref="Path"/> goes into NOTIFY_SOCKET of the program under test.
/// </summary>
public sealed class NotifyListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly BlockingCollection<(TimeSpan At, string Text)> _arrived = new();
    private readonly List<(TimeSpan At, string Text)> _seen = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Thread _reader;

    public NotifyListener(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _reader = new Thread(Read) { IsBackground = true, Name = "notify-listener" };
        _reader.Start();
    }

    public string Path { get; }

    /// <summary>Every notification so far, oldest first.</summary>
    public IReadOnlyList<string> Messages
    {
        get
        {
            Drain(TimeSpan.Zero);
            lock (_seen) return _seen.Select(m => m.Text).ToList();
        }
    }

    /// <summary>Waits (bounded) for a notification with a line equal to <paramref name="line"/> after the first <paramref name="skip"/> ones; returns its index.</summary>
    public int AwaitLine(string line, TimeSpan timeout, int skip = 0)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            lock (_seen)
            {
                for (var i = skip; i < _seen.Count; i++)
                    if (_seen[i].Text.Split('\n').Contains(line)) return i;
            }
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"no '{line}' within {timeout}; got:\n{string.Join("\n--\n", Messages)}");
            Drain(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>When (on this listener's clock) each notification holding <paramref name="line"/> came.</summary>
    public IReadOnlyList<TimeSpan> Times(string line)
    {
        Drain(TimeSpan.Zero);
        lock (_seen) return _seen.Where(m => m.Text.Split('\n').Contains(line)).Select(m => m.At).ToList();
    }

    private void Drain(TimeSpan wait)
    {
        if (_arrived.TryTake(out var first, wait))
        {
            lock (_seen)
            {
                _seen.Add(first);
                while (_arrived.TryTake(out var more)) _seen.Add(more);
            }
        }
    }

    private void Read()
    {
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var n = _socket.Receive(buffer);
                _arrived.Add((_clock.Elapsed, Encoding.UTF8.GetString(buffer, 0, n)));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Disposed: the test is over.
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _arrived.CompleteAdding();
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }
    }
}
