namespace Actors.Configuration;

/// <summary>
/// Exit-code classes of tools whose codes are documented (<c>retry.preset</c>, <c>actors exec --preset</c>):
/// which failures a retry can cure (the network was down, the server timed out) and which it cannot (a bad URL,
/// HTTP 404, bad usage). Seed 001's list is the start; the rest is from the tools' manuals.
/// </summary>
public static class RetryPresets
{
    private sealed record Preset(int[] Transient, int[] Permanent);

    private static readonly Dictionary<string, Preset> Known = new(StringComparer.Ordinal)
    {
        // man curl, EXIT CODES. Transient: proxy/host resolution (5, 6), connect (7), odd or empty server replies
        // (8, 52), HTTP/2-3 framing (16, 92, 95), partial file (18), timeout (28), TLS handshake (35), send and
        // receive failures (55, 56). Permanent: unsupported protocol (1), failed init (2), malformed URL (3),
        // HTTP >= 400 with --fail (22), local write/read errors (23, 26), FILE:// not readable (37), internal
        // error (43), too many redirects (47), certificates (58, 60, 77), login denied (67).
        ["curl"] = new([5, 6, 7, 8, 16, 18, 28, 35, 52, 55, 56, 92, 95], [1, 2, 3, 22, 23, 26, 37, 43, 47, 58, 60, 67, 77]),
        // man rsync, EXIT VALUES. Transient: client-server start (5), socket/file I/O (10, 11), protocol stream
        // (12), IPC (14), waitpid (21), memory (22), partial transfers (23, 24), timeouts (30, 35), and 255, what
        // ssh returns when the connection fails. Permanent: usage (1), protocol incompatibility (2), selecting
        // files (3), unsupported action (4), daemon log (6), diagnostics (13), SIGUSR1/SIGINT (20), --max-delete (25).
        ["rsync"] = new([5, 10, 11, 12, 14, 21, 22, 23, 24, 30, 35, 255], [1, 2, 3, 4, 6, 13, 20, 25]),
    };

    /// <summary>The preset names, for messages and help.</summary>
    public static IReadOnlyList<string> Names { get; } = Known.Keys.ToList();

    public static bool TryGet(string name, out IReadOnlySet<int> transient, out IReadOnlySet<int> permanent)
    {
        if (Known.TryGetValue(name, out var preset))
        {
            transient = preset.Transient.ToHashSet();
            permanent = preset.Permanent.ToHashSet();
            return true;
        }
        transient = permanent = new HashSet<int>();
        return false;
    }
}
