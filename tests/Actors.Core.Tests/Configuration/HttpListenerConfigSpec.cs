using System.Net;
using Actors.Configuration;
using Xunit;

namespace Actors.Core.Tests.Configuration;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HttpListenerConfigSpec : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private ConfigLoadResult Load(string http) =>
        ConfigLoader.LoadText($"actors {{\n  node.http {{ {http} }}\n  processes.web {{ command = sh }}\n}}\n", "f.conf", _temp.Dir);

    private string Token(UnixFileMode mode, string text = "0123456789abcdef0123456789abcdef")
    {
        var path = _temp.Write(text + "\n", "token");
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void The_listener_is_off_by_default()
    {
        var result = ConfigLoader.LoadText("actors.processes.web { command = sh }", "f.conf", _temp.Dir);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Null(result.Settings!.Node.Http);
    }

    [Theory]
    [InlineData("127.0.0.1:9180", "127.0.0.1", 9180)]
    [InlineData("localhost:9180", "127.0.0.1", 9180)]
    [InlineData("[::1]:80", "::1", 80)]
    [InlineData("0.0.0.0:0", "0.0.0.0", 0)]
    public void A_listen_address_is_an_ip_or_localhost_with_a_port(string listen, string address, int port)
    {
        var result = Load($"listen = \"{listen}\"");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var http = result.Settings!.Node.Http!;
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), http.Listen);
        Assert.Null(http.TokenFile);
    }

    [Theory]
    [InlineData("9180")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("example.com:9180")]
    [InlineData("127.1:9180")]
    [InlineData("::1:9180")]
    [InlineData("http://127.0.0.1:9180")]
    public void A_listen_address_that_does_not_parse_is_an_error_with_file_line_and_key(string listen)
    {
        var result = Load($"listen = \"{listen}\"");
        var error = Assert.Single(result.Errors).ToString();
        Assert.StartsWith("f.conf:2: actors.node.http.listen:", error);
        Assert.Contains($"\"{listen}\" is not an address to listen on", error);
        Assert.Contains("127.0.0.1:9180", error);
    }

    [Fact]
    public void Listening_on_every_interface_is_warned_about()
    {
        var result = Load("listen = \"0.0.0.0:9180\"");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Contains(result.Warnings, w => w.ToString().StartsWith("f.conf:2: actors.node.http.listen:") && w.ToString().Contains("every network interface"));
    }

    [Fact]
    public void The_token_file_resolves_against_the_config_folder()
    {
        Token(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var result = Load("listen = \"127.0.0.1:0\", token-file = \"token\"");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(Path.Combine(_temp.Dir, "token"), result.Settings!.Node.Http!.TokenFile);
    }

    [Fact]
    public void A_token_file_others_may_read_is_an_error_that_says_chmod_600()
    {
        var path = Token(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var error = Assert.Single(Load("listen = \"127.0.0.1:0\", token-file = \"token\"").Errors).ToString();
        Assert.StartsWith("f.conf:2: actors.node.http.token-file:", error);
        Assert.Contains("mode 0644", error);
        Assert.Contains($"chmod 600 {path}", error);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("short", "shorter than 16 characters")]
    public void An_empty_or_short_token_is_an_error(string token, string message)
    {
        Token(UnixFileMode.UserRead | UnixFileMode.UserWrite, token);
        var error = Assert.Single(Load("listen = \"127.0.0.1:0\", token-file = \"token\"").Errors).ToString();
        Assert.StartsWith("f.conf:2: actors.node.http.token-file:", error);
        Assert.Contains(message, error);
    }

    [Fact]
    public void A_missing_token_file_is_an_error_that_says_how_to_make_one()
    {
        var error = Assert.Single(Load("listen = \"127.0.0.1:0\", token-file = \"nope\"").Errors).ToString();
        Assert.StartsWith("f.conf:2: actors.node.http.token-file:", error);
        Assert.Contains("openssl rand -hex 32", error);
    }

    [Fact]
    public void A_token_file_with_the_listener_off_is_warned_about()
    {
        var result = Load("token-file = \"whatever\"");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Contains(result.Warnings, w => w.ToString().Contains("actors.node.http.token-file") && w.ToString().Contains("listener is off"));
    }
}
