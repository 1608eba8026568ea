using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Actors.Node.Control;

/// <summary>The request line and headers of HTTP/1.x, as the control socket reads them, and its bodyless answers.</summary>
internal static class HttpHead
{
    /// <summary>Request line and headers; false for anything malformed (a 400).</summary>
    public static bool TryParse(string head, HttpRequestFeature request, out string version)
    {
        version = "";
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[2] is not ("HTTP/1.1" or "HTTP/1.0")) return false;
        foreach (var c in parts[0])
            if (!char.IsAsciiLetterUpper(c)) return false;
        var target = parts[1];
        if (target.Length == 0) return false;
        if (target[0] != '/')
        {
            // The absolute form (a proxy-style request line): only its path and query count.
            if (!Uri.TryCreate(target, UriKind.Absolute, out var uri)) return false;
            target = uri.PathAndQuery;
        }
        var query = target.IndexOf('?');
        try
        {
            request.Path = PathString.FromUriComponent(query < 0 ? target : target[..query]);
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException)
        {
            return false;
        }
        request.QueryString = query < 0 ? "" : target[query..];
        request.RawTarget = parts[1];
        request.Method = parts[0];
        request.Protocol = parts[2];
        request.Scheme = "http";
        request.PathBase = "";
        version = parts[2];
        var headers = new HeaderDictionary();
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':');
            // No name, whitespace before the colon, or an obsolete folded line: malformed, as RFC 9112 asks.
            if (colon <= 0 || lines[i][colon - 1] is ' ' or '\t' || lines[i][0] is ' ' or '\t') return false;
            var name = lines[i][..colon];
            var value = lines[i][(colon + 1)..].Trim(' ', '\t');
            headers[name] = StringValues.Concat(headers[name], value);
        }
        request.Headers = headers;
        return true;
    }

    /// <summary>Whether a comma-separated header (Connection, Expect) holds <paramref name="token"/>, in any case.</summary>
    public static bool HasToken(StringValues values, string token)
    {
        foreach (var value in values)
            foreach (var part in (value ?? "").Split(','))
                if (part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>An answer with no body that closes the connection (400, 413, 431, 501).</summary>
    public static byte[] Bodyless(int status) => Encoding.ASCII.GetBytes(
        $"HTTP/1.1 {status} {ReasonPhrases.GetReasonPhrase(status)}\r\nContent-Length: 0\r\nConnection: close\r\nDate: {DateTime.UtcNow:r}\r\n\r\n");
}
