using System.Globalization;
using Actors.Configuration;

namespace Actors.Processes;

/// <summary>
/// The exec shim, <c>actors-exec</c> (Native/exec/actors-exec.c): posix_spawn cannot switch user or set a umask,
/// resource limits, a nice value or oom_score_adj in the child, so a process that declares any of them is started as
/// <c>actors-exec OPTIONS -- PATH ARGV...</c>, which applies them and then execve's the program with its argv and
/// environment untouched (systemd does the same with its separate systemd-executor). A process that declares none
/// is spawned directly, as before. Setting them from the node after the spawn (prlimit, setpriority,
/// /proc/PID/oom_score_adj) would race with the program's first instructions, and util-linux's setpriv and prlimit
/// as trampolines set no umask and would take three execs.
/// </summary>
public static class ExecShim
{
    public const string FileName = "actors-exec";

    /// <summary>
    /// Where the shim is: in the application's folder (the node's publish folder, a test's or an embedding host's output,
    /// the tool package), or beside the program (a single-file bundle keeps it next to the executable).
    /// </summary>
    public static string? Locate()
    {
        foreach (var folder in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(Environment.ProcessPath) })
        {
            if (string.IsNullOrEmpty(folder)) continue;
            var candidate = Path.Combine(folder, FileName);
            if (!File.Exists(candidate)) continue;
            MakeExecutable(candidate);
            return candidate;
        }
        return null;
    }

    // A package extracted without file modes (a NuGet tool install may be) leaves it not executable: its owner puts the
    // bits back. Anyone else gets the start failure that exec reports (permission denied), naming the file.
    private static void MakeExecutable(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        try
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & UnixFileMode.UserExecute) == 0) File.SetUnixFileMode(path, mode | execute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static readonly Lazy<string?> Located = new(Locate);

    /// <summary>The shim's path, or null with why it cannot be used.</summary>
    public static string? Find(out string? problem)
    {
        var path = Located.Value;
        problem = path is null
            ? $"{FileName} (which sets user, group, umask, limits, nice and oom-score-adjust) is not installed beside the actors program; reinstall actors, or remove those keys"
            : null;
        return path;
    }

    /// <summary>
    /// What to spawn to run <paramref name="executable"/> with <paramref name="argv"/> (argv[0] first) as the process
    /// runs: itself when <paramref name="options"/> is null (nothing to apply), else the shim with the options, which
    /// execs it. Null, with why, when the shim is needed and missing. One shape for the main process, its exec probes
    /// and its hooks.
    /// </summary>
    public static (string Program, IReadOnlyList<string> Argv)? Wrap(IReadOnlyList<string>? options, string executable,
        IReadOnlyList<string> argv, out string? problem)
    {
        problem = null;
        if (options is null) return (executable, argv);
        if (Find(out problem) is not { } shim) return null;
        return (shim, [shim, .. options, "--", executable, .. argv]);
    }

    /// <summary>The shim's options for <paramref name="exec"/>, in the order it applies them (before the <c>--</c>).</summary>
    public static IReadOnlyList<string> Options(ExecSettings exec)
    {
        var args = new List<string>();
        if (exec.OomScoreAdjust is { } oom) args.AddRange(["-o", oom.ToString(CultureInfo.InvariantCulture)]);
        foreach (var (name, limit) in exec.Limits()) args.AddRange(["-l", $"{name}:{limit}"]);
        if (exec.Nice is { } nice) args.AddRange(["-n", nice.ToString(CultureInfo.InvariantCulture)]);
        if (exec.Umask is { } umask) args.AddRange(["-m", Convert.ToString(umask, 8)]);
        if (exec.User is not null) args.AddRange(["-G", exec.SupplementaryGroups ?? ""]);
        if (exec.Gid is { } gid) args.AddRange(["-g", gid.ToString(CultureInfo.InvariantCulture)]);
        if (exec.Uid is { } uid) args.AddRange(["-u", uid.ToString(CultureInfo.InvariantCulture)]);
        return args;
    }
}
