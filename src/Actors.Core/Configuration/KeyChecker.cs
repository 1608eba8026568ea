using Akka.Configuration.Hocon;

namespace Actors.Configuration;

/// <summary>
/// Reports keys that the reference does not know. The reference configuration is the one list of
/// valid keys, so a key documented there is accepted here and nothing else is (a typo such as
/// <c>restrat</c> would otherwise be silently ignored and the default used).
/// </summary>
internal static class KeyChecker
{
    /// <summary>Keys whose children are the user's own names (environment variables, process names).</summary>
    private static readonly HashSet<string> FreeForm = ["env"];

    public static void Check(Diagnostics diagnostics, HoconObject user, HoconObject known, string path)
    {
        foreach (var (key, value) in user.Items)
        {
            var keyPath = $"{path}.{key}";
            if (!known.Items.TryGetValue(key, out var knownValue))
            {
                var suggestion = Suggest(key, known.Items.Keys);
                var hint = suggestion is null ? $"known keys here: {string.Join(", ", known.Items.Keys)}" : $"did you mean {suggestion}?";
                diagnostics.Error(keyPath, $"unknown key; {hint}");
                continue;
            }
            if (value.IsObject() && knownValue.IsObject() && !FreeForm.Contains(key))
                Check(diagnostics, value.GetObject(), knownValue.GetObject(), keyPath);
        }
    }

    /// <summary>The closest known key within a small edit distance, ignoring case.</summary>
    public static string? Suggest(string key, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var d = Levenshtein(key.ToLowerInvariant(), candidate.ToLowerInvariant());
            var limit = Math.Min(2, Math.Max(1, candidate.Length / 3));
            if (d <= limit && d < bestDistance)
            {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    public static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
