using Akka.Configuration;

namespace Actors.Configuration;

/// <summary>The built-in <c>reference.conf</c>, embedded in Actors.Core: every key with its default.</summary>
public static class ReferenceConfig
{
    public const string ResourceName = "Actors.reference.conf";

    private static readonly Lazy<string> LazyText = new(() =>
    {
        using var stream = typeof(ReferenceConfig).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from Actors.Core; the build is broken.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private static readonly Lazy<Config> LazyConfig = new(() => ConfigurationFactory.ParseString(LazyText.Value));

    public static string Text => LazyText.Value;

    public static Config Config => LazyConfig.Value;
}
