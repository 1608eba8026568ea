namespace Actors.Configuration;

/// <summary>
/// Reads one process through its layers and checks every rule, reporting all problems.
/// Returns settings even when something is wrong (defaults stand in) so the caller keeps checking.
/// </summary>
internal sealed partial class ProcessReader(LayeredReader r, PathResolver paths, string logDir)
{
    // Each concern's keys have a reader of their own; this one reads the rest and puts a process together.
    private readonly RunPolicyReader _policy = new(r);
    private readonly OutputReader _output = new(r, paths);

    private Diagnostics D => r.Diagnostics;

    /// <param name="name">The process name.</param>
    /// <param name="checkFileSystem">False when checking actors.defaults on its own: no process runs it.</param>
    public ProcessSettings Read(string name, bool checkFileSystem)
    {
        var description = r.String("description").Value;
        var shell = r.Bool("shell").Value;
        var (command, args) = ReadCommand(shell, checkFileSystem);
        var workingDir = ReadWorkingDir(checkFileSystem);
        // Read in the order of the keys in reference.conf, so problems are listed in that order.
        var env = ReadEnv();
        var envFiles = ReadEnvFiles(workingDir, checkFileSystem);
        var inheritEnv = r.Bool("inherit-env").Value;
        var exec = new ExecReader(r).Read();
        var restart = ReadRestart();
        var success = ReadSuccessExitCodes();
        var backoff = ReadBackoff();
        var startLimit = ReadStartLimit();
        var stop = ReadStop();
        var log = ReadLog(name);
        var lease = ReadLease(stop);
        var kind = _policy.ReadKind();
        var critical = r.Bool("critical").Value;
        var exitOnFailure = r.Bool("availability.exit-on-failure").Value;
        var replicas = ReadReplicas();
        var autostart = r.Bool("autostart").Value;
        var placement = ReadPlacement();
        var (transient, permanent, preset) = _policy.ReadExitClasses(success);
        return new ProcessSettings(
            name,
            description.Length == 0 ? null : description,
            command,
            args,
            shell,
            workingDir,
            env,
            _policy.RestartFor(kind, restart),
            success,
            backoff,
            startLimit,
            stop,
            log,
            lease)
        {
            Kind = kind,
            Critical = critical,
            ExitOnFailure = exitOnFailure,
            TransientExitCodes = transient,
            PermanentExitCodes = permanent,
            Retry = _policy.ReadRetry(backoff, preset),
            Timeouts = _policy.ReadTimeouts(),
            Probes = new ProbeReader(r, paths).Read(checkFileSystem),
            Readiness = _policy.ReadReadiness(),
            ReadyLogLine = _output.ReadReadyLogLine(),
            DependsOn = _policy.ReadDependsOn(),
            Hooks = _output.ReadHooks(checkFileSystem),
            EnvFiles = envFiles,
            InheritEnv = inheritEnv,
            Exec = exec,
            Autostart = autostart,
            Placement = placement,
            // The declared count; the config loader makes the copies (Replicas.Expand).
            Replica = new ReplicaSettings(name, 1, replicas, Replicas.WidthOf(replicas), replicas == 1,
                r.String("log.file").Value.Length == 0 ? logDir : null),
        };
    }

    private int ReadReplicas()
    {
        var replicas = r.Int("replicas");
        if (replicas.Value is >= 1 and <= Replicas.Max)
            return replicas.Value;
        D.Error(replicas.Path, replicas.Value < 1
            ? $"{replicas.Value} is out of range; use 1 or more copies (to keep a process from starting, use autostart = off)"
            : $"{replicas.Value} is out of range; use at most {Replicas.Max} copies of one process (each is a process with its own log and pipe; more belong on several nodes)");
        return 1;
    }

    private (string Command, IReadOnlyList<string> Args) ReadCommand(bool shell, bool checkFileSystem)
    {
        var command = r.String("command");
        var args = r.List<string>("args", (string t, out string v) => { v = t; return true; }, "a string", "\"-m\", \"http.server\"");
        if (command.Value.Trim().Length == 0)
        {
            if (checkFileSystem)
                D.Error(command.IsUser ? command.Path : r.TopPath("command"),
                    "is required and must not be empty: the program to run, e.g. command = \"/usr/bin/python3\"");
            return ("", args.Value);
        }
        if (shell)
        {
            if (args.Value.Count > 0)
                D.Error(args.Path, "must be empty when shell = on: the command is the whole shell line, so put the arguments in it");
            return ("/bin/sh", ["-c", command.Value]);
        }
        if (!command.Value.Contains('/'))
        {
            if (checkFileSystem && !PathResolver.IsOnPath(command.Value))
                D.Warn(command.Path, $"\"{command.Value}\" is not found on PATH now; starting will fail unless it appears");
            return (command.Value, args.Value);
        }
        var resolved = paths.Resolve(command.Value);
        if (checkFileSystem && !File.Exists(resolved))
            D.Warn(command.Path, $"{resolved} does not exist; starting will fail unless it appears");
        else if (checkFileSystem && !PathResolver.IsExecutableFile(resolved))
            D.Warn(command.Path, $"{resolved} is not executable (chmod +x it)");
        return (resolved, args.Value);
    }

    private string ReadWorkingDir(bool checkFileSystem)
    {
        var dir = r.String("working-dir");
        var resolved = paths.Resolve(dir.Value.Length == 0 ? "." : dir.Value);
        if (checkFileSystem && !Directory.Exists(resolved))
            D.Warn(dir.Path, $"{resolved} does not exist; the process will fail to start until it does");
        return resolved;
    }

    private IReadOnlyDictionary<string, string> ReadEnv()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value, path) in r.MergedObject("env"))
        {
            if (key.Length == 0 || key.Contains('='))
                D.Error(path, "is not a valid environment variable name: it must be non-empty and have no '='");
            else if (!LayeredReader.IsScalar(value))
                D.Error(path, $"{LayeredReader.Describe(value)} is not allowed; env values are strings, numbers or booleans");
            else
                env[key] = value.GetString() ?? "";
        }
        return env;
    }

    private Read<RestartPolicy> ReadRestart()
    {
        return r.Scalar<RestartPolicy>("restart", TryRestart, "allowed", "use always, on-failure or never");

        static bool TryRestart(string text, out RestartPolicy value)
        {
            (var ok, value) = text.Trim().ToLowerInvariant() switch
            {
                "always" => (true, RestartPolicy.Always),
                "on-failure" => (true, RestartPolicy.OnFailure),
                "never" => (true, RestartPolicy.Never),
                _ => (false, RestartPolicy.Always),
            };
            return ok;
        }
    }

    private IReadOnlySet<int> ReadSuccessExitCodes()
    {
        var codes = r.List<int>("success-exit-codes", TryExitCode, "an exit code 0..255", "0, 3");
        return codes.Value.ToHashSet();

        static bool TryExitCode(string text, out int value) => HoconScalars.TryInt(text, out value) && value is >= 0 and <= 255;
    }

    private BackoffSettings ReadBackoff()
    {
        var min = r.Duration("backoff.min");
        var max = r.Duration("backoff.max");
        var factor = r.Scalar<double>("backoff.random-factor", HoconScalars.TryDouble, "a number", "use e.g. 0.2");
        var resetAfter = r.Duration("backoff.reset-after");
        D.NotNegative(min);
        D.NotNegative(max);
        D.NotNegative(resetAfter);
        if (factor.Value is < 0 or > 1)
            D.Error(factor.Path, $"{factor.Value} is out of range; use a number from 0 to 1 (0.2 = ±20%)");
        if (min.Value >= TimeSpan.Zero && max.Value < min.Value)
            D.Error(max.IsUser ? max.Path : min.Path,
                $"backoff.max ({HoconScalars.Format(max.Value)}) must be at least backoff.min ({HoconScalars.Format(min.Value)})");
        return new BackoffSettings(min.Value, max.Value, factor.Value, resetAfter.Value);
    }

    private StartLimitSettings ReadStartLimit()
    {
        var burst = r.Int("start-limit.burst");
        var interval = r.Duration("start-limit.interval");
        if (burst.Value < 1)
            D.Error(burst.Path, $"{burst.Value} is out of range; use 1 or more starts");
        D.Positive(interval, "10m");
        return new StartLimitSettings(burst.Value, interval.Value);
    }

    private StopSettings ReadStop()
    {
        var signal = r.Scalar<int>("stop.signal", Signals.TryParse, "a signal",
            "use a name such as TERM, INT, HUP, QUIT, KILL, USR1, USR2, WINCH (SIG prefix optional) or a number 1..64");
        var timeout = r.Duration("stop.timeout");
        D.NotNegative(timeout);
        return new StopSettings(signal.Value, Signals.NameOf(signal.Value), timeout.Value);
    }

    private LogSettings ReadLog(string name)
    {
        var file = r.String("log.file");
        var maxSize = r.Scalar<long>("log.max-size", HoconScalars.TrySize, "a size", HoconScalars.SizeHint);
        var keep = r.Int("log.keep");
        var timestamps = r.Bool("log.timestamps");
        if (maxSize.Value <= 0)
            D.Error(maxSize.Path, $"{maxSize.Value} is out of range; use a size above 0, e.g. 50MB");
        if (keep.Value < 0)
            D.Error(keep.Path, $"{keep.Value} is out of range; use 0 (keep no rotated files) or more");
        var path = file.Value.Length == 0 ? Path.Combine(logDir, name + ".log") : paths.Resolve(file.Value);
        return _output.ReadLogOptions(new LogSettings(path, maxSize.Value, keep.Value, timestamps.Value));
    }

    /// <summary>Null when lease.name is empty (no lease); the other lease keys are checked either way.</summary>
    private ProcessLeaseSettings? ReadLease(StopSettings stop)
    {
        var name = r.String("lease.name");
        var folder = r.String("lease.folder");
        var interval = r.Duration("lease.heartbeat-interval");
        var ttl = r.Duration("lease.ttl");
        var deadMan = r.Bool("lease.dead-man");
        var leaseClass = r.String("lease.class");
        var assembly = r.String("lease.assembly");
        var leaseSettings = r.MergedObject("lease.settings");
        if (D.Positive(interval, "1s") && ttl.Value <= interval.Value)
            D.Error(ttl.IsUser ? ttl.Path : interval.Path,
                $"lease.ttl ({HoconScalars.Format(ttl.Value)}) must be longer than lease.heartbeat-interval ({HoconScalars.Format(interval.Value)}); e.g. ttl = 10 × the interval");
        else if (interval.Value > TimeSpan.Zero && ttl.Value < 2 * interval.Value)
            D.Warn(ttl.IsUser ? ttl.Path : interval.Path,
                $"lease.ttl ({HoconScalars.Format(ttl.Value)}) is less than twice lease.heartbeat-interval; one late heartbeat loses the lease");
        if (name.Value.Length == 0)
            return null;
        if (deadMan.Value && interval.Value > TimeSpan.Zero && ttl.Value > interval.Value
            && DeadManTimings.For(ttl.Value, interval.Value, stop.Timeout) is var timings && timings.StopAfter <= interval.Value)
            D.Error(ttl.IsUser ? ttl.Path : interval.Path,
                $"lease.ttl ({HoconScalars.Format(ttl.Value)}) leaves the dead-man switch {HoconScalars.Format(timings.StopAfter)} after a heartbeat before it stops the process, not more than lease.heartbeat-interval ({HoconScalars.Format(interval.Value)}): one late heartbeat would stop it; raise lease.ttl (e.g. 10 × the interval) or set lease.dead-man = off");
        if (!ConfigNames.IsName(name.Value))
            D.Error(name.Path, $"\"{name.Value}\" is not a valid lease name; use letters, digits, '.', '_' and '-' (it names the lease file)");
        var hasClass = leaseClass.Value.Trim().Length > 0;
        if (!hasClass && folder.Value.Trim().Length == 0)
            D.Error(folder.IsUser ? folder.Path : r.TopPath("lease.folder"),
                "is required when lease.name is set: the folder the lease files live in, shared by every node that may run this process (or set lease.class to use another lease)");
        var assemblyPath = assembly.Value.Trim().Length == 0 ? null : paths.Resolve(assembly.Value);
        if (!hasClass && assemblyPath is not null)
            D.Warn(assembly.Path, "is set but lease.class is empty: the file lease is used and nothing is loaded from it");
        if (!hasClass && leaseSettings.Count > 0)
            D.Warn(leaseSettings[0].Path, "lease.settings is for the implementation named by lease.class; the file lease reads none of it");
        if (hasClass) LeaseClass.Check(D, leaseClass, assemblyPath, leaseSettings);
        return new ProcessLeaseSettings(name.Value, hasClass ? "" : paths.Resolve(folder.Value.Length == 0 ? "." : folder.Value), interval.Value, ttl.Value)
        {
            DeadMan = deadMan.Value,
            Class = hasClass ? leaseClass.Value.Trim() : null,
            Assembly = hasClass ? assemblyPath : null,
            Settings = hasClass ? LeaseClass.RenderSettings(leaseSettings.Select(s => (s.Key, s.Value))) : "",
        };
    }

    private const string EnvFileHint = "use env-file = \".env\" or a list, env-file = [\".env\", \"local.env\"]";

    /// <summary>
    /// <c>env-file</c>: one file name or a list, relative to the working-dir. For a declared process the files are read
    /// now: a missing or malformed one is an error at its own line, and what they hold is kept, so a reload restarts
    /// the process when a file changed.
    /// </summary>
    private EnvFileSettings ReadEnvFiles(string workingDir, bool checkFileSystem)
    {
        const string key = "env-file";
        if (r.Find(key) is not var (value, layer))
            return EnvFileSettings.None;
        var path = r.PathOf(layer, key);
        IReadOnlyList<string> names;
        if (value.IsObject())
        {
            D.Error(path, $"an object {{ }} is not a file name; {EnvFileHint}");
            return EnvFileSettings.None;
        }
        if (LayeredReader.IsScalar(value))
            names = [value.GetString() ?? ""];
        else
            names = r.List<string>(key, (string t, out string v) => { v = t; return true; }, "a file name", "\".env\", \"local.env\"").Value;
        var files = new List<string>();
        foreach (var name in names)
        {
            if (name.Trim().Length == 0)
                D.Error(path, $"\"{name}\" is not a file name; {EnvFileHint}");
            else
                files.Add(Path.GetFullPath(Path.Combine(workingDir, PathResolver.ExpandHome(name))));
        }
        if (!checkFileSystem || files.Count == 0)
            return new EnvFileSettings(files, new Dictionary<string, string>());
        var values = EnvFiles.Read(files, EnvFiles.NodeEnvironment(), out var problem);
        if (problem is { Line: { } line })
            D.ErrorIn(problem.File, line, path, problem.Message);
        else if (problem is not null)
            D.Error(path, $"{problem.File} {problem.Message}");
        return new EnvFileSettings(files, values);
    }
}
