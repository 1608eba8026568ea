using Actors.Configuration;
using Actors.Native;

namespace Actors.Processes;

/// <summary>
/// Finds the executable a command names, the way a shell would, so a missing or non-executable command is
/// reported as "command not found: x" before anything is spawned.
/// </summary>
public static class CommandResolver
{
    /// <summary>The value of PATH in <paramref name="environment"/> (<c>NAME=VALUE</c> entries), or null when it has none.</summary>
    public static string? PathOf(IReadOnlyList<string> environment)
    {
        foreach (var entry in environment)
            if (entry.StartsWith("PATH=", StringComparison.Ordinal)) return entry[5..];
        return null;
    }

    /// <summary>The absolute path of <paramref name="command"/>, or null with <paramref name="reason"/> saying why not.</summary>
    public static string? Resolve(string command, string? pathVariable, out string? reason)
    {
        reason = null;
        if (command.Contains('/'))
        {
            reason = CheckExecutable(command);
            return reason is null ? command : null;
        }
        var found = PathResolver.FindOnPath(command, pathVariable);
        if (found is null) reason = $"command not found: {command} (not in PATH)";
        return found;
    }

    private static unsafe string? CheckExecutable(string path)
    {
        if (Directory.Exists(path)) return $"not an executable: {path} is a directory";
        if (!File.Exists(path)) return $"command not found: {path}";
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            return LibC.access(p, LibC.X_OK) == 0 ? null : $"permission denied: {path} is not executable";
        }
    }
}
