using System.Collections;

namespace Actors.Configuration;

/// <summary>
/// A process's <c>env-file</c> list, resolved against its working-dir, with what the files held when the
/// configuration was read (so a reload sees a changed file as a changed process). The files are read again at each
/// start of the process (see <see cref="Read"/>), as systemd reads EnvironmentFile=: an edited file takes effect
/// with the next start, restart or reload.
/// </summary>
public sealed record EnvFileSettings(IReadOnlyList<string> Files, IReadOnlyDictionary<string, string> Values)
{
    public static readonly EnvFileSettings None = new([], new Dictionary<string, string>());

    /// <summary>The same files with the same content.</summary>
    public bool SameAs(EnvFileSettings other) =>
        Files.SequenceEqual(other.Files)
        && Values.Count == other.Values.Count
        && Values.All(kv => other.Values.TryGetValue(kv.Key, out var v) && v == kv.Value);
}

/// <summary>A file of an env-file list that cannot be used: the file, the line (null for the whole file) and why.</summary>
public sealed record EnvFileProblem(string File, int? Line, string Message)
{
    public override string ToString() => Line is { } line ? $"{File}:{line}: {Message}" : $"{File}: {Message}";
}

public static class EnvFiles
{
    /// <summary>The most one env file may hold: far more than any environment (Linux caps one variable at 128 KiB).</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>The node's own environment, what references in env files resolve against.</summary>
    public static IReadOnlyDictionary<string, string> NodeEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            env[(string)entry.Key] = (string?)entry.Value ?? "";
        return env;
    }

    /// <summary>
    /// Reads <paramref name="files"/> in order into one set of values (a later file wins), references resolving against
    /// earlier definitions, then <paramref name="node"/>. Stops at the first problem.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Read(IReadOnlyList<string> files, IReadOnlyDictionary<string, string> node, out EnvFileProblem? problem)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        problem = null;
        foreach (var file in files)
        {
            var text = ReadText(file, out var unreadable);
            if (text is null)
            {
                problem = new EnvFileProblem(file, null, unreadable!);
                return values;
            }
            if (Dotenv.Parse(text, values, name => node.TryGetValue(name, out var v) ? v : null) is { } error)
            {
                problem = new EnvFileProblem(file, error.Line, error.Message);
                return values;
            }
        }
        return values;
    }

    private static string? ReadText(string file, out string? problem)
    {
        var bytes = Native.SmallFiles.ReadRegular(file, MaxFileBytes, out problem);
        if (bytes is null)
        {
            if (problem == "does not exist") problem = "does not exist; create it, or take it out of env-file";
            return null;
        }
        if (bytes.Length > MaxFileBytes)
        {
            problem = $"is larger than {MaxFileBytes / 1024 / 1024} MiB, the most an env file may be";
            return null;
        }
        // As the configuration file: UTF-8 unless a byte order mark says otherwise; invalid bytes become U+FFFD.
        using var reader = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
