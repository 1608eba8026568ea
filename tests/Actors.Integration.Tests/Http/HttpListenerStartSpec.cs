using System.Net;
using System.Net.Sockets;
using Actors.Node;
using Xunit;

namespace Actors.Integration.Tests.Http;

/// <summary>What the node does with the listener's settings at start: bad ones refused with one line, off loads nothing.</summary>
public sealed class HttpListenerStartSpec : IDisposable
{
    private readonly ControlledNode _node = new();
    private NodeProcess? _process;

    public void Dispose()
    {
        _process?.Dispose();
        _node.Dispose();
    }

    /// <summary>A process that leaves a mark when it starts, to see that a refused node started nothing.</summary>
    private string Marker => Path.Combine(_node.Dir, "started");

    private string MarkingProcess => $"web {{ command = \"/bin/sh\", args = [\"-c\", \"touch '{Marker}'; sleep 1000\"] }}";

    private int RunToExit()
    {
        _process = NodeProcess.Start(_node.Dir, "run", _node.ConfigPath);
        return _process.WaitForExit(ControlledNode.Patience);
    }

    [Fact]
    public void A_listen_address_in_use_is_a_start_error_naming_the_key_and_nothing_starts()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        _node.WriteConfig(MarkingProcess, $"http.listen = \"127.0.0.1:{port}\"");

        Assert.Equal(ExitCodes.Failure, RunToExit());
        var line = Assert.Single(_process!.Output.Split('\n'), l => l.StartsWith("actors: "));
        Assert.Equal($"actors: actors.node.http.listen = \"127.0.0.1:{port}\": cannot listen: the address is already in use (another program or node listens there); choose another address or port, or \"\" to turn the listener off", line);
        Assert.False(File.Exists(Marker));
        Assert.DoesNotContain("   at ", _process.Output);
    }

    [Fact]
    public void A_token_file_readable_by_others_is_refused_at_start_with_the_key_and_what_to_do()
    {
        var token = Path.Combine(_node.Dir, "token");
        File.WriteAllText(token, "0123456789abcdef0123456789abcdef\n");
        File.SetUnixFileMode(token, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        _node.WriteConfig(MarkingProcess, "http { listen = \"127.0.0.1:0\", token-file = \"token\" }");

        Assert.Equal(ExitCodes.InvalidConfig, RunToExit());
        Assert.Contains($"actors.node.http.token-file: {token} may be read or written by others (mode 0640); run chmod 600 {token}", _process!.Output);
        Assert.False(File.Exists(Marker));
    }

    [Fact]
    public async Task Check_config_names_the_key_and_line_of_a_listen_address_that_does_not_parse()
    {
        _node.WriteConfig(MarkingProcess, "http.listen = \"localhost\"");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await Cli.RunAsync(["check-config", _node.ConfigPath], stdout, stderr);
        Assert.Equal(ExitCodes.InvalidConfig, code);
        Assert.Contains($"{_node.ConfigPath}:3: actors.node.http.listen: \"localhost\" is not an address to listen on", stdout.ToString() + stderr);
    }

    [Fact]
    public async Task Without_a_token_file_state_changes_are_refused_with_403_and_reads_work()
    {
        using var http = new HttpNode($"web {{ {ControlledNode.Sleeper} }}", withToken: false).Start();
        http.Node.AwaitState("web", "running");
        using var stop = await http.PostAsync("v1/stop", "{\"names\": [\"web\"]}", "anything-at-all-here");
        Assert.Equal(HttpStatusCode.Forbidden, stop.StatusCode);
        Assert.Contains("no actors.node.http.token-file", await stop.Content.ReadAsStringAsync());
        using var status = await http.Client.GetAsync("v1/status");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal("running", http.Node.State("web"));
    }

    [Fact]
    public void A_node_without_the_listener_serves_no_port_and_loads_no_metrics_or_dashboard_code()
    {
        _node.WriteConfig($"web {{ {ControlledNode.Sleeper} }}");
        _node.Start();
        _node.AwaitState("web", "running");
        var status = _node.Cli("status", "--json").Json.GetProperty("node");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, status.GetProperty("http").ValueKind);
        var maps = File.ReadAllText($"/proc/{_node.Process!.Pid}/maps");
        Assert.Contains("actors.dll", maps); // the check sees managed assemblies at all
        Assert.DoesNotContain("Prometheus.NetStandard.dll", maps);
        Assert.DoesNotContain("socket:", string.Join("\n", Directory.GetFiles($"/proc/{_node.Process.Pid}/fd").Select(TcpOrNot)));
    }

    /// <summary>"socket:" for a TCP listening socket of the process (from /proc/net/tcp by inode), else "".</summary>
    private string TcpOrNot(string fd)
    {
        string target;
        try
        {
            target = new FileInfo(fd).LinkTarget ?? "";
        }
        catch (IOException)
        {
            return "";
        }
        if (!target.StartsWith("socket:[")) return "";
        var inode = target["socket:[".Length..^1];
        var tcp = File.ReadAllLines("/proc/net/tcp").Concat(File.ReadAllLines("/proc/net/tcp6")).Skip(1);
        // Field 4 is the state (0A = LISTEN), field 10 the inode.
        return tcp.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Any(f => f.Length > 9 && f[3] == "0A" && f[9] == inode) ? "socket:" + inode : "";
    }
}
