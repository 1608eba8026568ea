using System.Globalization;
using System.Net;

namespace Actors.Configuration;

/// <summary>
/// Reads <c>actors.node.http</c>: the listen address (off when empty) and the token file, checked the way the
/// node will use them, so check-config finds what would stop the node at start.
/// </summary>
internal static class HttpListenerReader
{
    public const string ListenHint = "write \"HOST:PORT\" with an IP address or localhost, e.g. \"127.0.0.1:9180\" or \"[::1]:9180\"; \"\" turns the listener off";

    public static HttpListenerSettings? Read(LayeredReader r, PathResolver paths)
    {
        var d = r.Diagnostics;
        var listen = r.String("http.listen");
        var tokenFile = r.String("http.token-file");
        var tokenPath = tokenFile.Value.Length == 0 ? null : paths.Resolve(tokenFile.Value);
        if (listen.Value.Length == 0)
        {
            if (tokenPath is not null)
                d.Warn(tokenFile.Path, $"is set ({tokenPath}) but the HTTP listener is off (actors.node.http.listen = \"\"); it is not used");
            return null;
        }
        if (!TryParseEndpoint(listen.Value, out var endpoint))
        {
            d.Error(listen.Path, $"\"{listen.Value}\" is not an address to listen on; {ListenHint}");
            return null;
        }
        var settings = new HttpListenerSettings(endpoint, listen.Value, tokenPath);
        if (settings.IsWildcard)
            d.Warn(listen.Path, $"\"{listen.Value}\" listens on every network interface: anyone who can reach this machine can read the dashboard, status, logs and metrics; prefer 127.0.0.1 behind a proxy");
        if (tokenPath is not null && !HttpTokenFile.TryRead(tokenPath, out _, out var problem))
            d.Error(tokenFile.Path, problem!);
        return settings;
    }

    /// <summary>"127.0.0.1:9180", "[::1]:9180", "localhost:9180" (loopback), "0.0.0.0:9180"; port 0 picks a free one.</summary>
    public static bool TryParseEndpoint(string text, out IPEndPoint endpoint)
    {
        endpoint = null!;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) return false;
        var host = text[..colon];
        if (!ushort.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)) return false;
        IPAddress? address;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) address = IPAddress.Loopback;
        else if (host.StartsWith('[') && host.EndsWith(']')) address = IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? v6 : null;
        else address = IPAddress.TryParse(host, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && host.Count(c => c == '.') == 3 ? v4 : null;
        if (address is null) return false;
        endpoint = new IPEndPoint(address, port);
        return true;
    }
}

/// <summary>
/// The bearer token of the HTTP listener: the first line of a file only its owner may read (0600 or 0400), so
/// the token is never in the configuration (which is often world-readable or in version control).
/// </summary>
public static class HttpTokenFile
{
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>The token, or a problem that names the file and what to do (the caller prefixes the key).</summary>
    public static bool TryRead(string path, out string token, out string? problem)
    {
        token = "";
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            // The mode of the file that was opened, not of whatever the name points to a moment later.
            var mode = OperatingSystem.IsWindows() ? UnixFileMode.None : File.GetUnixFileMode(stream.SafeFileHandle);
            if ((mode & GroupOrOthers) != 0)
            {
                problem = $"{path} may be read or written by others (mode {Octal(mode)}); run chmod 600 {path}";
                return false;
            }
            using var reader = new StreamReader(stream);
            token = (reader.ReadLine() ?? "").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot read the token file {path}: {e.Message}; create it with one line, the token (e.g. openssl rand -hex 32 > {path}; chmod 600 {path})";
            return false;
        }
        if (token.Length < 16)
        {
            problem = $"the token in {path} is {(token.Length == 0 ? "empty" : "shorter than 16 characters")}; put a long random line in it, e.g. openssl rand -hex 32";
            return false;
        }
        problem = null;
        return true;
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0b111_111_111, 8).PadLeft(4, '0');
}
