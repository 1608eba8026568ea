using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Actors.Configuration;

/// <summary>
/// Loads an Actors HOCON file over the built-in reference and validates it completely: every problem
/// is reported at once, each with file, line and full key path. User mistakes never throw.
/// </summary>
public static partial class ConfigLoader
{
    /// <summary>The file name problems use when the text came from no file (the embedded demo).</summary>
    public const string EmbeddedFileName = "<embedded>";

    [GeneratedRegex(@"at position ([0-9]+)")]
    private static partial Regex ParserPosition();

    [GeneratedRegex(@"Unresolved substitution: (\S+)")]
    private static partial Regex UnresolvedSubstitution();

    /// <summary>Reads and validates a file; relative paths in it resolve against its folder.</summary>
    public static ConfigLoadResult LoadFile(string path) => LoadFile(path, LoadText);

    /// <summary>
    /// Reads a file's <c>actors.node</c> alone (its <see cref="ConfigLoadResult.Node"/>, checked as <see cref="LoadFile(string)"/>
    /// checks it; the processes are neither read nor checked, and the result has no settings). What a client verb
    /// needs to find the node's socket: measured (100 processes, published build, medians of 6), `actors status --config`
    /// took 0.24 s with the whole file read and checked, 0.17 s with the node alone (bench/README.md, stop 36).
    /// </summary>
    public static ConfigLoadResult LoadNodeFile(string path) => LoadFile(path, LoadNodeText);

    private static ConfigLoadResult LoadFile(string path, Func<string, string?, string, ConfigLoadResult> load)
    {
        string fullPath;
        byte[] bytes;
        try
        {
            fullPath = Path.GetFullPath(path);
            bytes = ReadAtMost(fullPath, ConfigLimits.MaxFileBytes + 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var problem = new ConfigProblem(path, null, "", $"cannot read the configuration file: {e.Message}");
            return new ConfigLoadResult(null, [problem], []);
        }
        if (bytes.Length > ConfigLimits.MaxFileBytes)
            return TooLarge(fullPath, bytes.AsSpan(0, ConfigLimits.MaxFileBytes).Count((byte)'\n') + 1);
        // As File.ReadAllText: UTF-8 unless a byte order mark says otherwise; invalid bytes become U+FFFD.
        using var reader = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return load(reader.ReadToEnd(), fullPath, Path.GetDirectoryName(fullPath) ?? "/");
    }

    // Never more than the limit is read: a huge file (or /dev/zero) is refused without filling memory.
    private static byte[] ReadAtMost(string path, int limit)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var buffer = new byte[limit];
        var total = 0;
        while (total < limit && file.Read(buffer, total, limit - total) is var n and > 0)
            total += n;
        return buffer[..total];
    }

    private static ConfigLoadResult TooLarge(string file, int line) =>
        new(null, [new ConfigProblem(file, line, "",
            $"the file is larger than {ConfigLimits.MaxFileBytes / (1024 * 1024)} MiB, the most a configuration may be; the limit is crossed on this line")], []);

    /// <summary>Validates HOCON text; <paramref name="sourceFile"/> null names it <c>&lt;embedded&gt;</c> in problems.</summary>
    public static ConfigLoadResult LoadText(string text, string? sourceFile, string baseDirectory) =>
        Load(text, sourceFile, baseDirectory, (HoconObject root, PathResolver paths, Diagnostics d, out NodeSettings? node) =>
            Build(root, sourceFile, paths, d, out node));

    private static ConfigLoadResult LoadNodeText(string text, string? sourceFile, string baseDirectory) =>
        Load(text, sourceFile, baseDirectory, BuildNodeAlone);

    private delegate ActorsSettings? Builder(HoconObject root, PathResolver paths, Diagnostics d, out NodeSettings? node);

    private static ConfigLoadResult Load(string text, string? sourceFile, string baseDirectory, Builder build)
    {
        if (text.Length > ConfigLimits.MaxFileBytes)
            return TooLarge(sourceFile ?? EmbeddedFileName, text.AsSpan(0, ConfigLimits.MaxFileBytes).Count('\n') + 1);
        var index = HoconLineIndex.Build(text);
        var d = new Diagnostics(sourceFile ?? EmbeddedFileName, index);
        if (Parse(text, index, d) is not { } root)
            return new ConfigLoadResult(null, d.Errors, d.Warnings);
        var settings = build(root, new PathResolver(baseDirectory), d, out var node);
        var nodeValid = node is not null && !d.Errors.Any(e => e.Path == "actors.node" || e.Path.StartsWith("actors.node.", StringComparison.Ordinal));
        return new ConfigLoadResult(d.HasErrors ? null : settings, d.Errors, d.Warnings) { Node = nodeValid ? node : null };
    }

    private static HoconObject? Parse(string text, HoconLineIndex index, Diagnostics d)
    {
        // Structural errors first: Akka's parser accepts some of them silently, throws on others without a
        // position, and loops forever on the rest. The scan also bounds the nesting (ConfigLimits), so Akka's
        // recursion is bounded too.
        foreach (var (line, message) in index.SyntaxErrors)
            d.ErrorAtLine(line, $"syntax error: {message}");
        foreach (var line in index.IncludeLines)
            d.ErrorAtLine(line, "include is not supported; write everything in this one file");
        if (d.HasErrors)
            return null;
        try
        {
            // On the caller's thread, with no deadline: on a text the scan passed, every turn of Akka's parser
            // consumes input (see HoconLineIndex), so it ends, in time linear in the bounded size of the file.
            var root = ConfigurationFactory.ParseString(index.TextForParser()).Root;
            if (SubstitutionCheck.Find(root) is var (substitution, problem))
            {
                d.ErrorAtLine(substitution is null ? null : LineContaining(text, "${" + substitution.Path + "}"), $"syntax error: {problem}");
                return null;
            }
            return root.IsObject() ? root.GetObject() : new HoconObject();
        }
        catch (Exception e)
        {
            // The parser throws many types for bad input; the user gets its message, never a stack trace.
            var message = e.Message.Split('\n')[0].Trim().TrimEnd(':');
            int? line = null;
            if (ParserPosition().Match(message) is { Success: true } position)
                line = index.LineAtOffset(int.Parse(position.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            else if (UnresolvedSubstitution().Match(message) is { Success: true } substitution)
                line = LineContaining(text, "${" + substitution.Groups[1].Value);
            d.ErrorAtLine(line, $"syntax error: {message}");
            return null;
        }
    }

    private static int? LineContaining(string text, string fragment)
    {
        var at = text.IndexOf(fragment, StringComparison.Ordinal);
        return at < 0 ? null : text[..at].Count(c => c == '\n') + 1;
    }

    private static ActorsSettings? Build(HoconObject root, string? sourceFile, PathResolver paths, Diagnostics d, out NodeSettings? nodeSettings)
    {
        nodeSettings = null;
        var reference = Reference;
        if (ActorsObject(root, d) is not { } actors)
            return null;
        CheckUnknownKeys(actors, reference, d);

        var node = ReadNode(actors, reference, paths, d);
        nodeSettings = node;
        var cluster = ClusterReader.Read(ObjectAt(actors, "cluster", "actors.cluster", d), reference.Items["cluster"].GetObject(), paths, d);
        var userDefaults = ObjectAt(actors, "defaults", "actors.defaults", d);
        var defaultsLayers = new List<Layer>
        {
            new(userDefaults, "actors.defaults", true),
            new(reference.Items["defaults"].GetObject(), "actors.defaults", false),
        };
        // Checks the user's defaults even when no process uses them; repeats are reported once.
        new ProcessReader(new LayeredReader(d, defaultsLayers), paths, node.LogDir).Read("defaults", checkFileSystem: false);

        var processes = new List<ProcessSettings>();
        var processesObject = ObjectAt(actors, "processes", "actors.processes", d);
        // Akka's HoconObject keeps keys in a Dictionary that is only ever added to, which preserves
        // insertion order: the processes come out in the order the file declares them.
        foreach (var (name, value) in processesObject?.Items ?? [])
        {
            var path = $"actors.processes.{name}";
            if (!ConfigNames.IsName(name))
                d.Error(path, "is not a valid process name; use letters, digits, '-', '_' and '.'");
            if (!value.IsObject())
            {
                d.Error(path, $"{LayeredReader.Describe(value)} is not a process; write {name} {{ command = ... }}");
                continue;
            }
            var layers = new List<Layer> { new(value.GetObject(), path, true) };
            layers.AddRange(defaultsLayers);
            processes.Add(new ProcessReader(new LayeredReader(d, layers), paths, node.LogDir).Read(name, checkFileSystem: true));
        }
        // Dependencies name declared processes (NAME = every copy of it), so they are checked before the copies are made.
        DependencyGraph.Check(processes, d);
        Placements.Check(processes, cluster, d);
        var declarations = ClusterDeclarations.Build(
            processes.Where(p => p.Placement.IsClusterPlaced && processesObject!.Items[p.Name].IsObject())
                .Select(p => (p.Name, processesObject!.Items[p.Name].GetObject())),
            userDefaults);
        processes = ExpandReplicas(processes, d);
        CheckLogFilesAreTheirOwn(processes, node, d);
        if (processes.Count == 0 && processesObject?.Items.Count is null or 0)
            d.Warn("actors.processes", "declares no process; the node will run with nothing to supervise");
        // In a cluster, this node runs what its roles call for; the rest is run by other nodes.
        var roles = cluster?.Roles ?? [];
        return new ActorsSettings(sourceFile, node, processes.Where(p => p.Placement.RunsHere(roles)).ToList())
        {
            Cluster = cluster,
            PlacedElsewhere = processes.Where(p => !p.Placement.RunsHere(roles)).ToList(),
            ClusterDeclarations = cluster is null ? declarations : declarations.WithSplitBrain(cluster),
        };
    }

    // Only what the node's own settings call for: actors, its unknown keys under actors.node, and actors.node itself.
    private static ActorsSettings? BuildNodeAlone(HoconObject root, PathResolver paths, Diagnostics d, out NodeSettings? node)
    {
        node = null;
        if (ActorsObject(root, d) is not { } actors)
            return null;
        if (actors.Items.TryGetValue("node", out var nodeValue) && nodeValue.IsObject())
            KeyChecker.Check(d, nodeValue.GetObject(), Reference.Items["node"].GetObject(), "actors.node");
        node = ReadNode(actors, Reference, paths, d);
        return null;
    }

    private static HoconObject Reference => ReferenceConfig.Config.Root.GetObject().Items["actors"].GetObject();

    private static HoconObject? ActorsObject(HoconObject root, Diagnostics d)
    {
        if (!root.Items.TryGetValue("actors", out var actorsValue))
        {
            var near = KeyChecker.Suggest("actors", root.Items.Keys);
            d.Error("actors", near is null
                ? "is missing; the file must declare actors { processes { NAME { command = ... } } }"
                : $"is missing; did you mean to write actors instead of {near}?");
            return null;
        }
        if (!actorsValue.IsObject())
        {
            d.Error("actors", $"{LayeredReader.Describe(actorsValue)} is not an object; write actors {{ processes {{ ... }} }}");
            return null;
        }
        return actorsValue.GetObject();
    }

    /// <summary>
    /// Each declared process becomes its copies (<c>replicas</c>). A copy's generated name must not be a declared
    /// name, and copies cannot share a log.file they set themselves.
    /// </summary>
    private static List<ProcessSettings> ExpandReplicas(List<ProcessSettings> declared, Diagnostics d)
    {
        var expanded = new List<ProcessSettings>(declared.Count);
        var names = declared.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var process in declared)
        {
            var count = process.Replica?.Count ?? 1;
            var path = $"actors.processes.{process.Name}";
            if (count > 1 && process.Replica?.LogDir is null && process.Log.File != "/dev/null")
                d.Error($"{path}.log.file", $"{process.Log.File} cannot be shared by the {count} replicas of {process.Name}; " +
                                            $"remove log.file so that each copy logs to LOG-DIR/{process.Name}-i.log, or set replicas = 1");
            var copies = Replicas.Expand(process, count, process.Replica?.LogDir);
            foreach (var copy in copies)
            {
                if (copy.Name != process.Name && names.Contains(copy.Name))
                    d.Error($"{path}.replicas", $"replica {copy.Name} of {process.Name} has the name of the declared process {copy.Name}; " +
                                                $"rename one of them (actors.processes.{copy.Name}) or change replicas");
            }
            expanded.AddRange(copies);
        }
        return expanded;
    }

    /// <summary>
    /// Two writers in one log file would interleave and rotate each other's lines: every process needs a file
    /// of its own, and none may take the node's own node.log. /dev/null is the one file all may share.
    /// </summary>
    private static void CheckLogFilesAreTheirOwn(List<ProcessSettings> processes, NodeSettings node, Diagnostics d)
    {
        var owners = new Dictionary<string, (string Owner, ProcessSettings? Process)>(StringComparer.Ordinal)
        {
            [Path.GetFullPath(Path.Combine(node.LogDir, "node.log"))] = ("the node's own log", null),
        };
        foreach (var process in processes)
        {
            // With log.stderr = separate, its NAME.err.log is a file of its own too.
            foreach (var (logFile, what) in new[] { (process.Log.File, "log"), (process.Log.ErrorFile, "stderr log") })
            {
                if (logFile is null)
                    continue;
                var file = Path.GetFullPath(logFile);
                if (file == "/dev/null")
                    continue;
                if (!owners.TryGetValue(file, out var owner))
                    owners[file] = ($"the {what} of {process.Name}", process);
                // Already reported: copies sharing their declaration's log.file, or a copy named like a declared process.
                else if (owner.Process is { } other && (other.Group == process.Group || other.Name == process.Name))
                    continue;
                else
                    d.Error($"actors.processes.{process.Group}.log.{(what == "log" ? "file" : "stderr")}",
                        $"{file} is already {owner.Owner}; give {process.Name} a log.file of its own");
            }
        }
    }

    private static void CheckUnknownKeys(HoconObject actors, HoconObject reference, Diagnostics d)
    {
        foreach (var (key, value) in actors.Items)
        {
            if (!reference.Items.TryGetValue(key, out var known))
            {
                var suggestion = KeyChecker.Suggest(key, reference.Items.Keys);
                d.Error($"actors.{key}", suggestion is null
                    ? $"unknown key; known keys here: {string.Join(", ", reference.Items.Keys)}"
                    : $"unknown key; did you mean {suggestion}?");
            }
            else if (key != "processes" && value.IsObject())
                KeyChecker.Check(d, value.GetObject(), known.GetObject(), $"actors.{key}");
        }
        if (!actors.Items.TryGetValue("processes", out var processes) || !processes.IsObject())
            return;
        var processKeys = reference.Items["defaults"].GetObject();
        foreach (var (name, process) in processes.GetObject().Items)
        {
            if (process.IsObject())
                KeyChecker.Check(d, process.GetObject(), processKeys, $"actors.processes.{name}");
        }
    }

    /// <summary>The longest unix socket path Linux accepts (sun_path is 108 bytes including the NUL).</summary>
    public const int MaxSocketPathBytes = 107;

    private static NodeSettings ReadNode(HoconObject actors, HoconObject reference, PathResolver paths, Diagnostics d)
    {
        var r = new LayeredReader(d, [
            new(ObjectAt(actors, "node", "actors.node", d), "actors.node", true),
            new(reference.Items["node"].GetObject(), "actors.node", false),
        ]);
        var stateDir = r.String("state-dir");
        var logDir = r.String("log-dir");
        var shutdown = r.Duration("shutdown-timeout");
        d.Positive(shutdown, "30s");
        var resolvedStateDir = paths.Resolve(stateDir.Value);
        var socket = r.String("control-socket");
        var socketPath = socket.Value.Length == 0 ? Path.Combine(resolvedStateDir, "control.sock") : paths.Resolve(socket.Value);
        // sun_path holds 108 bytes with the terminating NUL; a longer path cannot be bound at all.
        if (System.Text.Encoding.UTF8.GetByteCount(socketPath) > MaxSocketPathBytes)
            d.Error(socket.Path, $"the control socket path {socketPath} is longer than {MaxSocketPathBytes} bytes, which a unix socket cannot use; set actors.node.control-socket to a shorter path, e.g. /run/actors/NAME.sock");
        var heartbeat = r.Duration("lock.heartbeat-interval");
        var staleAfter = r.Duration("lock.stale-after");
        if (d.Positive(heartbeat, "1s") && staleAfter.Value <= heartbeat.Value)
            d.Error(staleAfter.Path, $"{HoconScalars.Format(staleAfter.Value)} must be longer than lock.heartbeat-interval ({HoconScalars.Format(heartbeat.Value)}), e.g. 10 times it");
        return new NodeSettings(resolvedStateDir, paths.Resolve(logDir.Value), shutdown.Value)
        {
            ControlSocket = socketPath,
            Lock = new NodeLockSettings(heartbeat.Value, staleAfter.Value),
            Http = HttpListenerReader.Read(r, paths),
        };
    }

    /// <summary>The object at <paramref name="key"/>, null when absent; a non-object is reported.</summary>
    private static HoconObject? ObjectAt(HoconObject parent, string key, string path, Diagnostics d)
    {
        if (!parent.Items.TryGetValue(key, out var value))
            return null;
        if (value.IsObject())
            return value.GetObject();
        d.Error(path, $"{LayeredReader.Describe(value)} is not an object; write {key} {{ ... }}");
        return null;
    }
}
