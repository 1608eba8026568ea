using System.Net.Http.Headers;

namespace Actors.Integration.Tests.Http;

/// <summary>
/// A real node with its HTTP listener on a port the kernel picks (127.0.0.1:0) and a token file (0600), and a
/// client for it. The node is stopped by <see cref="Dispose"/>.
/// </summary>
public sealed class HttpNode : IDisposable
{
    public ControlledNode Node { get; } = new();
    public string Token { get; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
    public HttpClient Client { get; } = new() { Timeout = ControlledNode.Patience };
    public string BaseAddress { get; private set; } = "";

    /// <param name="withToken">False: no token-file, so state changes over HTTP are refused.</param>
    public HttpNode(string processes, bool withToken = true)
    {
        var tokenFile = Path.Combine(Node.Dir, "http.token");
        File.WriteAllText(tokenFile, Token + "\n");
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Node.WriteConfig(processes, $"http {{ listen = \"127.0.0.1:0\"{(withToken ? ", token-file = \"http.token\"" : "")} }}");
    }

    public HttpNode Start()
    {
        Node.Start();
        BaseAddress = Node.HttpAddress();
        Client.BaseAddress = new Uri(BaseAddress + "/");
        return this;
    }

    public async Task<HttpResponseMessage> PostAsync(string path, string json, string? bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return await Client.SendAsync(request);
    }

    public void Dispose()
    {
        Client.Dispose();
        Node.Dispose();
    }
}
