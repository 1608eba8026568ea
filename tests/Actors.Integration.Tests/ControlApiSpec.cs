using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>The API itself: bad requests get a status and a message, and the node carries on.</summary>
public sealed class ControlApiSpec : IAsyncLifetime, IDisposable
{
    private readonly ControlledNode _node = new();

    public ControlApiSpec()
    {
        _node.WriteConfig($"web {{ {ControlledNode.Sleeper} }}");
    }

    // Started here, not in the constructor: xunit disposes the instance (Dispose) even when this fails, but not
    // an instance whose constructor threw, which would leave the node running.
    public Task InitializeAsync()
    {
        _node.Start();
        // The node listens before its processes are up: wait for web, so that "the node carries on" compares
        // with where web stood before the bad request, not with how far its start got meanwhile.
        _node.AwaitState("web", "running");
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _node.Dispose();

    private string Raw(string request, byte[]? body = null)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(_node.Socket));
        socket.Send(Encoding.ASCII.GetBytes(request));
        if (body is not null)
        {
            try
            {
                socket.Send(body);
            }
            catch (SocketException)
            {
                // The server may answer 413 and close before reading everything.
            }
        }
        var answer = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = socket.Receive(buffer)) > 0) answer.Write(buffer, 0, read);
        return Encoding.UTF8.GetString(answer.ToArray());
    }

    /// <summary>The "error" of a JSON error body.</summary>
    private static string ErrorOf(string answer) =>
        System.Text.Json.JsonDocument.Parse(answer[(answer.IndexOf("\r\n\r\n") + 4)..]).RootElement.GetProperty("error").GetString()!;

    [Theory]
    [InlineData("{not json", "400", "not valid JSON")]
    [InlineData("[1,2]", "400", "expected {\"names\"")]
    [InlineData("{\"names\": \"web\"}", "400", "\"names\" must be an array")]
    [InlineData("{}", "400", "no process named")]
    [InlineData("{\"names\": [\"web\"], \"all\": true}", "400", "not both")]
    public void Malformed_requests_get_400_with_a_message(string body, string status, string message)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var answer = Raw($"POST /v1/stop HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\n\r\n", bytes);
        Assert.StartsWith($"HTTP/1.1 {status}", answer);
        Assert.Contains(message, ErrorOf(answer));
        Assert.Equal("running", _node.State("web"));
    }

    [Fact]
    public void An_oversized_request_gets_413_and_the_node_carries_on()
    {
        var body = Encoding.ASCII.GetBytes("{\"names\": [\"" + new string('x', 200_000) + "\"]}");
        var answer = Raw($"POST /v1/start HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {body.Length}\r\n\r\n", body);
        Assert.StartsWith("HTTP/1.1 413", answer);
        Assert.Contains("larger than", ErrorOf(answer));
        Assert.Equal("running", _node.State("web"));
    }

    [Fact]
    public void Unknown_endpoints_and_methods_are_named()
    {
        Assert.StartsWith("HTTP/1.1 404", Raw("GET /v1/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 405", Raw("DELETE /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 400", Raw("GET /v1/logs?name=web&n=lots HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    }

    [Fact]
    public void A_second_node_on_another_state_dir_but_the_same_socket_is_refused_with_a_clear_line()
    {
        var other = Path.Combine(_node.Dir, "other.conf");
        File.WriteAllText(other, $"actors.node {{ state-dir = \"other-state\", control-socket = \"{_node.Socket}\" }}\nactors.processes.web {{ {ControlledNode.Sleeper} }}\n");
        using var second = NodeProcess.Start(_node.Dir, "run", other);
        Assert.Equal(1, second.WaitForExit(ControlledNode.Patience));
        Assert.Contains($"another node is listening on {_node.Socket}", second.Output);
        Assert.Equal("running", _node.State("web"));
    }

    [Fact]
    public void Run_and_status_without_arguments_use_actors_conf_in_the_current_folder()
    {
        var dir = Directory.CreateTempSubdirectory("actors-here-").FullName;
        File.WriteAllText(Path.Combine(dir, "actors.conf"), $"actors.processes.here {{ {ControlledNode.Sleeper} }}\n");
        using var node = NodeProcess.Start(dir, "run");
        node.AwaitLine("control API listening", ControlledNode.Patience);
        var info = new System.Diagnostics.ProcessStartInfo(TestPaths.NodeCommand[0]) { WorkingDirectory = dir, RedirectStandardOutput = true };
        foreach (var arg in TestPaths.NodeCommand.Skip(1)) info.ArgumentList.Add(arg);
        info.ArgumentList.Add("status");
        info.Environment.Remove("ACTORS_SOCKET");
        using var status = System.Diagnostics.Process.Start(info)!;
        var output = status.StandardOutput.ReadToEnd();
        Assert.True(status.WaitForExit(ControlledNode.Patience));
        Assert.Equal(0, status.ExitCode);
        Assert.Contains(Path.Combine(dir, "actors.conf"), output);
        Assert.Matches(@"\nhere\s+(starting|running)", output);
        node.Signal(15);
        Assert.Equal(0, node.WaitForExit(ControlledNode.Patience));
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Shutdown_through_the_cli_stops_the_processes_and_the_node()
    {
        var pid = _node.Pid("web")!.Value;
        var result = _node.Cli("shutdown");
        Assert.True(result.Code == 0, result.ToString());
        Assert.Equal($"node {_node.Process!.Pid} stopped\n", result.Out);
        Assert.Equal(0, _node.Process.WaitForExit(ControlledNode.Patience));
        Assert.False(Directory.Exists($"/proc/{pid}") && !Actors.Processes.ProcStat.IsZombie(pid));
        Assert.False(File.Exists(_node.Socket));
    }
}
