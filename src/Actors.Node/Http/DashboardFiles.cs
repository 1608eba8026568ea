using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Actors.Node.Http;

/// <summary>
/// The web dashboard's files, embedded in the assembly (no build step, nothing fetched at run time). The
/// Content-Security-Policy lets the page load and talk to this node only.
/// </summary>
internal static class DashboardFiles
{
    private const string Csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Dictionary<string, (string Resource, string ContentType)> Files = new(StringComparer.Ordinal)
    {
        ["/"] = ("index.html", "text/html; charset=utf-8"),
        ["/dashboard.js"] = ("dashboard.js", "text/javascript; charset=utf-8"),
        ["/dashboard.css"] = ("dashboard.css", "text/css; charset=utf-8"),
        ["/favicon.svg"] = ("favicon.svg", "image/svg+xml"),
    };

    public static bool Has(string path) => Files.ContainsKey(path);

    public static async Task ServeAsync(HttpContext ctx)
    {
        var (resource, contentType) = Files[ctx.Request.Path.Value!];
        await using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Actors.Dashboard." + resource)
            ?? throw new InvalidOperationException($"the dashboard file {resource} is missing from the assembly");
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = contentType;
        ctx.Response.ContentLength = stream.Length;
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Response.Headers.ContentSecurityPolicy = Csp;
        ctx.Response.Headers.XContentTypeOptions = "nosniff";
        ctx.Response.Headers["Referrer-Policy"] = "no-referrer";
        await stream.CopyToAsync(ctx.Response.Body, ctx.RequestAborted);
    }
}
