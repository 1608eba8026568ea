using System.Net;
using System.Net.Http.Headers;
using Actors.Configuration;

namespace Actors.Probes;

/// <summary>
/// <c>type = http</c>: a GET of the url; any 2xx or 3xx status passes ("HTTP 200"), any other fails ("HTTP 503").
/// Redirects are not followed: a 302 is the service's answer, not an invitation to check another server.
/// </summary>
internal sealed class HttpProbeCheck(HttpProbeTarget target) : IProbeCheck
{
    /// <summary>
    /// One client for every http probe of the node: a handler per probe would keep sockets and DNS caches per probe.
    /// Choices follow the kubelet's http prober, since users come with Kubernetes expectations:
    /// no proxy (a probe checks a process on this machine; an HTTP_PROXY meant for the service's own outgoing
    /// calls must not reroute its health check), no redirects, a fresh connection per check (the check also
    /// proves the service still accepts connections), and no certificate validation for https (health
    /// endpoints commonly serve self-signed certificates; the probe sends nothing secret and reads only the status).
    /// </summary>
    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    })
    {
        // The probe's own timeout bounds each check (through the token); the client must not add a second one.
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestHeaders = { UserAgent = { new ProductInfoHeaderValue("actors-probe", "1") } },
    };

    public async Task<ProbeOutcome> RunAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target.Url);
        request.Headers.ConnectionClose = true;
        try
        {
            // Headers are enough: the body is never read, and disposing the response drops the connection.
            using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
                .ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return new ProbeOutcome(status is >= 200 and < 400, $"HTTP {status}");
        }
        catch (HttpRequestException error)
        {
            return ProbeOutcome.Fail(Describe(error));
        }
    }

    private static string Describe(HttpRequestException error) => error.HttpRequestError switch
    {
        HttpRequestError.ResponseEnded => "connection closed before a response",
        HttpRequestError.InvalidResponse => "invalid HTTP response",
        HttpRequestError.SecureConnectionError => $"TLS handshake failed: {(error.InnerException ?? error).Message}",
        _ => NetworkErrors.Describe(error),
    };
}
