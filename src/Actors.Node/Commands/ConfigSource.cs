using Actors.Configuration;

namespace Actors.Node.Commands;

/// <summary>Loads the configuration a command names, or the built-in demo when it names none.</summary>
internal static class ConfigSource
{
    public const string DemoResource = "Actors.demo.conf";

    public static ConfigLoadResult Load(string? path)
    {
        if (path is not null) return ConfigLoader.LoadFile(Path.GetFullPath(path));
        using var stream = typeof(ConfigSource).Assembly.GetManifestResourceStream(DemoResource)
            ?? throw new InvalidOperationException($"the build lost the embedded {DemoResource}");
        using var reader = new StreamReader(stream);
        return ConfigLoader.LoadText(reader.ReadToEnd(), null, Directory.GetCurrentDirectory());
    }

    /// <summary>Prints every problem, errors first, one per line, as FILE:LINE: key: message.</summary>
    public static void Report(ConfigLoadResult result, TextWriter stderr)
    {
        foreach (var error in result.Errors) stderr.WriteLine(error);
        foreach (var warning in result.Warnings) stderr.WriteLine($"{warning} (warning)");
    }
}
