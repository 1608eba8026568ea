namespace Actors.Configuration;

/// <summary>
/// Resolves paths the way the user reads the file: relative to the config file's folder (not the
/// node's current directory, which differs between a shell, systemd and a container), with <c>~</c>
/// meaning $HOME.
/// </summary>
internal sealed class PathResolver(string baseDirectory)
{
    public string BaseDirectory { get; } = Path.GetFullPath(baseDirectory);

    public string Resolve(string path)
    {
        var expanded = ExpandHome(path);
        return Path.GetFullPath(Path.Combine(BaseDirectory, expanded));
    }

    public static string ExpandHome(string path)
    {
        if (path != "~" && !path.StartsWith("~/", StringComparison.Ordinal))
            return path;
        var home = Environment.GetEnvironmentVariable("HOME");
        if (string.IsNullOrEmpty(home))
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return home + path[1..];
    }

    public static bool IsExecutableFile(string path)
    {
        if (!File.Exists(path))
            return false;
        // Actors supervises Linux processes; the guard only keeps the platform analyzer satisfied.
        if (OperatingSystem.IsWindows())
            return true;
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }

    /// <summary>Whether a bare command name is found on the node's PATH now (the real lookup happens at start).</summary>
    public static bool IsOnPath(string command) => FindOnPath(command, Environment.GetEnvironmentVariable("PATH")) is not null;

    /// <summary>
    /// The first executable file named <paramref name="command"/> in the folders of <paramref name="pathVariable"/>
    /// (a shell's default PATH when null), or null. Used by check-config and by the launcher alike.
    /// </summary>
    public static string? FindOnPath(string command, string? pathVariable) =>
        (pathVariable ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(IsExecutableFile);
}
