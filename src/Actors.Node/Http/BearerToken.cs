using System.Security.Cryptography;
using System.Text;
using Actors.Node.Control;
using Microsoft.AspNetCore.Http;

namespace Actors.Node.Http;

/// <summary>
/// Who may change state over the HTTP listener: a request whose <c>Authorization: Bearer</c> header carries the
/// token from <c>actors.node.http.token-file</c>. Without a token file nobody may (the unix socket still can).
/// </summary>
internal sealed class BearerToken(string? token)
{
    private readonly byte[]? _token = token is null ? null : Encoding.UTF8.GetBytes(token);

    public bool IsSet => _token is not null;

    /// <summary>Throws the 401/403 the client gets; returns when the request may change state.</summary>
    public void Authorize(HttpContext ctx)
    {
        if (_token is null)
            throw new ApiError(403, "state changes over HTTP are off: this node has no actors.node.http.token-file; use the unix socket (the actors CLI) or set a token file");
        var header = ctx.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            throw Unauthorized(ctx, "no bearer token: send Authorization: Bearer <the token in actors.node.http.token-file>");
        var given = Encoding.UTF8.GetBytes(header[scheme.Length..].Trim());
        // Constant time: how long the comparison takes says nothing about how much of the token was right.
        if (!CryptographicOperations.FixedTimeEquals(given, _token))
            throw Unauthorized(ctx, "wrong bearer token; nothing was changed");
    }

    private static ApiError Unauthorized(HttpContext ctx, string message)
    {
        ctx.Response.Headers.WWWAuthenticate = "Bearer realm=\"actors\"";
        return new ApiError(401, message);
    }
}
