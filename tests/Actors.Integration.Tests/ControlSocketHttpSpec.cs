using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// The control socket's own HTTP/1.1 server (ControlSocketServer, used while the HTTP listener is off), spoken to byte
/// by byte as other clients than ours may speak it (curl, a script): several requests on one connection, a chunked
/// body, <c>Expect: 100-continue</c>, a body over the limit, and a follower that hangs up.
/// </summary>
public sealed class ControlSocketHttpSpec : RunningNodeSpec
{
    private static readonly TimeSpan Patience = ControlledNode.Patience;

    public ControlSocketHttpSpec() => Node.WriteConfig("""
            web { command = "/bin/sh", args = ["-c", "while true; do echo tick; sleep 0.2; done"] }
        """);

    private Socket Connect()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(Node.Socket));
        socket.ReceiveTimeout = (int)Patience.TotalMilliseconds;
        return socket;
    }

    private static void Send(Socket socket, string text) => socket.Send(Encoding.ASCII.GetBytes(text));

    /// <summary>One response: its head and its body (by Content-Length or chunked), nothing of the next one.</summary>
    private static (string Head, string Body) Receive(Socket socket)
    {
        var data = new List<byte>();
        var one = new byte[1];
        while (!Encoding.ASCII.GetString(data.ToArray()).EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (socket.Receive(one) == 0) throw new IOException($"connection closed inside the head: {Encoding.ASCII.GetString(data.ToArray())}");
            data.Add(one[0]);
        }
        var head = Encoding.ASCII.GetString(data.ToArray());
        var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (lengthLine is not null)
            return (head, Encoding.UTF8.GetString(ReadExactly(socket, int.Parse(lengthLine[15..].Trim()))));
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            var body = new StringBuilder();
            while (true)
            {
                var size = Convert.ToInt32(ReadLine(socket), 16);
                var chunk = ReadExactly(socket, size + 2); // and its CRLF
                if (size == 0) return (head, body.ToString());
                body.Append(Encoding.UTF8.GetString(chunk, 0, size));
            }
        }
        return (head, "");
    }

    private static string ReadLine(Socket socket)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (!line.ToString().EndsWith("\r\n", StringComparison.Ordinal))
        {
            if (socket.Receive(one) == 0) throw new IOException("connection closed inside a chunk size");
            line.Append((char)one[0]);
        }
        return line.ToString().TrimEnd();
    }

    private static byte[] ReadExactly(Socket socket, int count)
    {
        var buffer = new byte[count];
        for (int read = 0; read < count;)
        {
            int n = socket.Receive(buffer, read, count - read, SocketFlags.None);
            if (n == 0) throw new IOException($"connection closed after {read} of {count} body bytes");
            read += n;
        }
        return buffer;
    }

    [Fact]
    public void Several_requests_on_one_connection_each_get_their_answer_in_order()
    {
        Node.AwaitState("web", "running");
        using var socket = Connect();
        Send(socket, "GET /v1/status?name=web HTTP/1.1\r\nHost: actors\r\n\r\nGET /v1/status?name=nope HTTP/1.1\r\nHost: actors\r\n\r\n");

        var (head1, body1) = Receive(socket);
        var (head2, body2) = Receive(socket);

        Assert.StartsWith("HTTP/1.1 200", head1);
        Assert.Contains("\"name\":\"web\"", body1.Replace(" ", ""));
        Assert.StartsWith("HTTP/1.1 404", head2);
        Assert.Contains("nope", body2);
    }

    [Fact]
    public void A_chunked_body_after_100_continue_is_read_whole()
    {
        Node.AwaitState("web", "running");
        using var socket = Connect();
        Send(socket, "POST /v1/stop HTTP/1.1\r\nHost: actors\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
        var (interim, _) = Receive(socket);
        Assert.StartsWith("HTTP/1.1 100", interim);

        var json = "{\"names\": [\"web\"]}";
        Send(socket, $"{json[..5].Length:x}\r\n{json[..5]}\r\n{json[5..].Length:x}\r\n{json[5..]}\r\n0\r\n\r\n");
        var (head, body) = Receive(socket);

        Assert.StartsWith("HTTP/1.1 200", head);
        Assert.Contains("stopped", body);
        Node.AwaitState("web", "stopped");
    }

    [Fact]
    public void A_body_over_the_limit_is_answered_413_and_the_node_goes_on()
    {
        using (var socket = Connect())
        {
            const int size = 65 * 1024;
            Send(socket, $"POST /v1/start HTTP/1.1\r\nHost: actors\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n");
            Send(socket, new string(' ', size));
            var (head, _) = Receive(socket);
            Assert.StartsWith("HTTP/1.1 413", head);
        }
        var status = Node.Cli("status", "web");
        Assert.True(status.Code == 0, status.ToString());
    }

    [Fact]
    public void A_follower_that_hangs_up_is_let_go_and_later_clients_are_answered()
    {
        Node.AwaitState("web", "running");
        var node = Node.Process!.Pid;
        int Sockets() => Directory.GetFiles($"/proc/{node}/fd").Count(fd => new FileInfo(fd).LinkTarget?.StartsWith("socket:") == true);
        var before = Sockets();
        for (int i = 0; i < 20; i++)
        {
            using var socket = Connect();
            Send(socket, "GET /v1/logs?name=web&n=1&follow=true HTTP/1.1\r\nHost: actors\r\n\r\n");
            var head = Encoding.ASCII.GetString(ReadExactly(socket, 12));
            Assert.Equal("HTTP/1.1 200", head);
        } // each closed while following
        // Every follower's connection is closed by the node too (a leak would hold 20 more).
        Assert.True(SpinWait.SpinUntil(() => Sockets() <= before + 2, Patience), $"{Sockets()} sockets open, {before} before the followers");
        var status = Node.Cli("status", "web");
        Assert.True(status.Code == 0, status.ToString());
        Assert.Contains("running", status.Out);
    }
}
