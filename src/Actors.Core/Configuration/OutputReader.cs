namespace Actors.Configuration;

/// <summary>A process's keys about its output and the commands around its runs: ready-log-line, log options, hooks.</summary>
internal sealed class OutputReader(LayeredReader r, PathResolver paths)
{
    private Diagnostics D => r.Diagnostics;

    /// <summary>
    /// <c>ready-log-line</c>: "" for none. One readiness source decides: not with a readiness probe nor with notify.
    /// </summary>
    public ReadyLogLine? ReadReadyLogLine()
    {
        var read = r.String("ready-log-line");
        if (read.Value.Length == 0) return null;
        ReadyLogLine pattern;
        try
        {
            pattern = new ReadyLogLine(read.Value);
        }
        catch (NotSupportedException e)
        {
            D.Error(read.Path, $"\"{read.Value}\" uses what linear-time matching cannot do ({e.Message.TrimEnd('.')}); write it without backreferences, lookarounds or atomic groups");
            return null;
        }
        catch (ArgumentException e)
        {
            D.Error(read.Path, $"\"{read.Value}\" is not a regular expression: {e.Message.TrimEnd('.')}; write e.g. \"listening on\" or \"ready in [0-9]+ms\" (\"\" for none)");
            return null;
        }
        if (r.String("probes.readiness.type").Value.Trim().Length > 0)
            D.Error(read.Path, "cannot be combined with a readiness probe: one source decides when the process is ready; remove probes.readiness or ready-log-line");
        else if (r.Find("readiness") is var (readiness, _) && LayeredReader.IsScalar(readiness)
                 && readiness.GetString()?.Trim().Equals("notify", StringComparison.OrdinalIgnoreCase) == true)
            D.Error(read.Path, "cannot be combined with readiness = notify: one source decides when the process is ready; remove one of them");
        return pattern;
    }

    /// <summary><c>log.truncate-on-start</c> and <c>log.stderr</c>, on top of the file, size and rotation read before.</summary>
    public LogSettings ReadLogOptions(LogSettings log)
    {
        var truncate = r.Bool("log.truncate-on-start");
        var stderr = r.Scalar<bool>("log.stderr", TryStderr, "a stderr mode",
            "use merged (stderr into the same file as stdout, in order) or separate (stderr into NAME.err.log)");
        return log with { TruncateOnStart = truncate.Value, ErrorFile = stderr.Value ? ErrorFileFor(log.File) : null };

        static bool TryStderr(string text, out bool separate)
        {
            (var ok, separate) = text.Trim().ToLowerInvariant() switch
            {
                "merged" => (true, false),
                "separate" => (true, true),
                _ => (false, false),
            };
            return ok;
        }
    }

    /// <summary>web.log → web.err.log; a file not ending in .log gets .err added; /dev/null stays /dev/null.</summary>
    internal static string ErrorFileFor(string file) =>
        file == "/dev/null" ? file
        : file.EndsWith(".log", StringComparison.Ordinal) ? file[..^".log".Length] + ".err.log"
        : file + ".err";

    public HooksSettings ReadHooks(bool checkFileSystem) =>
        new(ReadHook("pre-start", checkFileSystem), ReadHook("post-stop", checkFileSystem));

    /// <summary>Null when its command is "" (not declared); the other keys are checked either way.</summary>
    private HookSettings? ReadHook(string name, bool checkFileSystem)
    {
        var key = $"hooks.{name}";
        var command = r.String($"{key}.command");
        var args = r.List<string>($"{key}.args", (string t, out string v) => { v = t; return true; }, "a string", "\"--flag\"");
        var timeout = r.Duration($"{key}.timeout");
        D.Positive(timeout, "30s");
        if (command.Value.Trim().Length == 0)
        {
            if (args.IsUser && args.Value.Count > 0)
                D.Error(r.TopPath($"{key}.command"), $"is required when {key}.args is set: the program to run (no shell), e.g. command = \"/usr/local/bin/prepare\"");
            return null;
        }
        // Like an exec probe's, a hook that cannot run fails every start (pre-start) or every cleanup (post-stop): an error.
        var resolved = command.Value;
        if (!command.Value.Contains('/'))
        {
            if (checkFileSystem && !PathResolver.IsOnPath(command.Value))
                D.Error(command.Path, $"\"{command.Value}\" is not found on PATH; the hook would fail every time. Install it, or write its full path");
        }
        else
        {
            resolved = paths.Resolve(command.Value);
            if (checkFileSystem && !PathResolver.IsExecutableFile(resolved))
                D.Error(command.Path, File.Exists(resolved)
                    ? $"{resolved} is not executable; the hook would fail every time (chmod +x it)"
                    : $"{resolved} does not exist; the hook would fail every time. Fix the path (relative paths start from the config file's folder)");
        }
        return new HookSettings(name, resolved, args.Value, timeout.Value);
    }
}
