using Akka.Configuration.Hocon;

namespace Actors.Configuration;

/// <summary>
/// Reports keys that the reference does not know. The reference configuration is the one list of
/// valid keys, so a key documented there is accepted here and nothing else is (a typo such as
/// <c>restrat</c> would otherwise be silently ignored and the default used).
/// </summary>
internal static class KeyChecker
{
    /// <summary>Keys whose children are the user's own names (environment variables, process names, a lease implementation's settings).</summary>
    private static readonly HashSet<string> FreeForm = ["env", "depends-on", "settings"];

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
            if (!knownValue.IsObject() || FreeForm.Contains(key))
                continue;
            if (value.IsObject())
                Check(diagnostics, value.GetObject(), knownValue.GetObject(), keyPath);
            else
                diagnostics.Error(keyPath, $"{LayeredReader.Describe(value)} is not an object; write {key} {{ ... }}");
        }
    }

    /// <summary>The closest known key within a small edit distance, ignoring case.</summary>
    public static string? Suggest(string key, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            // More than two letters longer or shorter is never near; skipping it keeps a huge key cheap.
            if (Math.Abs(key.Length - candidate.Length) > 2)
                continue;
            var d = EditDistance(key.ToLowerInvariant(), candidate.ToLowerInvariant());
            var limit = Math.Min(2, Math.Max(1, candidate.Length / 3));
            if (d <= limit && d < bestDistance)
            {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /// <summary>Edit distance counting a swap of two neighbours as one edit (restrat → restart).</summary>
    public static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
