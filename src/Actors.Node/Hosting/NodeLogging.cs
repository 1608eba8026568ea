using Serilog;
using Serilog.Events;

namespace Actors.Node.Hosting;

/// <summary>The node's own log: Serilog to the console and to <c>LOG-DIR/node.log</c> (rotated at 50 MB, 5 kept).</summary>
internal static class NodeLogging
{
    private const string Template = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}";

    public static Serilog.ILogger Create(string logDir) => new LoggerConfiguration()
        .MinimumLevel.Information()
        // Akka.Hosting logs every actor under one category (Akka.Actor.ActorSystem), ours included, so Akka
        // stays at Information; its own messages at that level are a line or two per start and stop.
        .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
        .Filter.ByExcluding(Cluster.BootstrapLogNoise.IsNoise)
        .WriteTo.Console(outputTemplate: Template)
        .WriteTo.File(Path.Combine(logDir, "node.log"), outputTemplate: Template,
            fileSizeLimitBytes: 50L * 1024 * 1024, rollOnFileSizeLimit: true, retainedFileCountLimit: 5)
        .CreateLogger();
}
