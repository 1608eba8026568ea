using System.Globalization;
using System.Text;
using Actors.Configuration;
using Actors.Node.Client;

namespace Actors.Node.Commands;

/// <summary>
/// <c>actors unit [CONFIG] [--user NAME] [--watchdog 30s|off]</c>: prints a systemd service unit that runs this
/// <c>actors</c> on CONFIG. Type=notify (the node says READY=1 once its processes reached their start states),
/// WatchdogSec (it pings while its actor system answers), KillMode=mixed (SIGTERM to the node alone, which
/// stops its processes in dependency order; only what is left after TimeoutStopSec gets SIGKILL), ExecReload
/// through the control socket (so <c>systemctl reload</c> waits for the reload and fails on a bad config).
/// </summary>
public static class UnitCommand
{
    public const string Usage = "actors unit [CONFIG] [--user NAME] [--watchdog 30s|off]";
    private static readonly TimeSpan DefaultWatchdog = TimeSpan.FromSeconds(30);
    // Beyond shutdown-timeout: the node's own last kills and its exit, before systemd SIGKILLs what is left.
    private static readonly TimeSpan StopMargin = TimeSpan.FromSeconds(15);

    public static int Execute(string[] args, TextWriter stdout, TextWriter stderr)
    {
        CommandLine line;
        TimeSpan? watchdog = DefaultWatchdog;
        try
        {
            line = CommandLine.Parse(args, valued: ["--user", "--watchdog"]);
            if (line.Positionals.Count > 1) throw new UsageException("name one configuration file");
            if (line.Value("--watchdog") is { } text)
            {
                if (!HoconScalars.TryOptionalDuration(text, out watchdog) || watchdog < TimeSpan.FromSeconds(1))
                    throw new UsageException($"--watchdog {text} is not a duration of 1s or more, or off");
            }
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"actors: {e.Message}");
            stderr.WriteLine($"usage: {Usage}");
            return ExitCodes.Usage;
        }
        var config = line.Positionals.Count == 1 ? line.Positionals[0] : File.Exists(SocketLocator.DefaultConfig) ? SocketLocator.DefaultConfig : null;
        if (config is null)
        {
            stderr.WriteLine($"actors: name the configuration file the unit runs (no ./{SocketLocator.DefaultConfig} here)");
            stderr.WriteLine($"usage: {Usage}");
            return ExitCodes.Usage;
        }
        var result = ConfigSource.Load(config);
        ConfigSource.Report(result, stderr);
        if (!result.IsValid)
        {
            stderr.WriteLine($"actors: {result.Errors.Count} problem(s) in {config}; no unit printed");
            return ExitCodes.InvalidConfig;
        }
        stdout.Write(Render(result.Settings!, line.Value("--user"), watchdog));
        return ExitCodes.Ok;
    }

    internal static string Render(ActorsSettings settings, string? user, TimeSpan? watchdog)
    {
        var configPath = settings.SourceFile!;
        var actors = Executable();
        var u = new StringBuilder();
        u.AppendLine("# Written by 'actors unit'. Install: save as /etc/systemd/system/NAME.service, then");
        u.AppendLine("#   systemctl daemon-reload && systemctl enable --now NAME");
        u.AppendLine("[Unit]");
        u.AppendLine($"Description=Actors process supervisor ({Escape(configPath)})");
        u.AppendLine("Wants=network-online.target");
        u.AppendLine("After=network-online.target");
        u.AppendLine();
        u.AppendLine("[Service]");
        u.AppendLine("# READY=1 once every process reached its start state; STATUS= shows the counts.");
        u.AppendLine("Type=notify");
        u.AppendLine("NotifyAccess=main");
        u.AppendLine($"ExecStart={actors} run {Quote(configPath)}");
        u.AppendLine("# Waits for the reload and fails on an invalid configuration (SIGHUP would not say).");
        u.AppendLine($"ExecReload={actors} reload --socket {Quote(settings.Node.ControlSocket)}");
        u.AppendLine($"WorkingDirectory={Quote(Path.GetDirectoryName(configPath)!)}");
        if (user is not null) u.AppendLine($"User={Escape(user)}");
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } dotnetRoot)
            u.AppendLine($"Environment={Quote("DOTNET_ROOT=" + dotnetRoot)}");
        u.AppendLine("# The node stops its processes itself, dependents first, within shutdown-timeout: SIGTERM goes to it");
        u.AppendLine("# alone, and SIGKILL only to what is left after TimeoutStopSec.");
        u.AppendLine("KillMode=mixed");
        u.AppendLine("KillSignal=SIGTERM");
        u.AppendLine($"TimeoutStopSec={Seconds(settings.Node.ShutdownTimeout + StopMargin)}");
        if (watchdog is { } every)
        {
            u.AppendLine("# WATCHDOG=1 every half of this while the node's actor system answers; else systemd restarts it.");
            u.AppendLine($"WatchdogSec={Seconds(every)}");
        }
        u.AppendLine("Restart=on-failure");
        u.AppendLine("RestartSec=2s");
        u.AppendLine("# 2: invalid configuration, 5: another node holds the state-dir; restarting does not help.");
        u.AppendLine("RestartPreventExitStatus=2 5");
        u.AppendLine();
        u.AppendLine("[Install]");
        u.AppendLine("WantedBy=multi-user.target");
        return u.ToString();
    }

    /// <summary>
    /// How this <c>actors</c> was started, for ExecStart: its own path (apphost, dotnet tool shim or single-file
    /// binary), or <c>dotnet actors.dll</c> when it runs through the dotnet host. In the published folder this program
    /// is actors-node, which the native <c>actors</c> beside it hands node verbs to: the unit names that <c>actors</c>,
    /// whose client verbs start sooner (ExecReload), and which execs the node in place (the pid systemd watches).
    /// </summary>
    private static string Executable()
    {
        var process = Environment.ProcessPath ?? "actors";
        if (Path.GetFileName(process) == "actors-node" && Path.Combine(Path.GetDirectoryName(process)!, "actors") is var front && File.Exists(front))
            return Quote(front);
        if (Path.GetFileNameWithoutExtension(process) != "dotnet") return Quote(process);
        // Not Assembly.Location: empty in a single-file app (which never runs through dotnet anyway).
        return $"{Quote(process)} {Quote(Path.Combine(AppContext.BaseDirectory, "actors.dll"))}";
    }

    private static string Seconds(TimeSpan span) => $"{Math.Ceiling(span.TotalSeconds).ToString(CultureInfo.InvariantCulture)}s";

    /// <summary>systemd expands % specifiers and $ variables in command lines: doubled, they stand for themselves.</summary>
    private static string Escape(string text) => text.Replace("%", "%%").Replace("$", "$$");

    /// <summary>An argument for ExecStart=: quoted when it holds spaces, quotes or backslashes.</summary>
    private static string Quote(string text)
    {
        var escaped = Escape(text);
        return escaped.IndexOfAny([' ', '\t', '"', '\\', '\'']) < 0 ? escaped
            : "\"" + escaped.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }
}
