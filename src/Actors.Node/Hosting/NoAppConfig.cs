using System.Configuration;
using System.Configuration.Internal;
using System.Reflection;
using System.Runtime.CompilerServices;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Actors.Node.Hosting;

/// <summary>
/// An app.config system for the actors executable, installed before it creates an ActorSystem. Akka's
/// <c>ActorSystem.Create</c> evaluates <c>ConfigurationFactory.Load()</c> (the app.config's <c>akka</c> section,
/// through <see cref="ConfigurationManager"/>) even when it is given its whole configuration, as the node, exec and
/// simulate do, and then throws the answer away. .NET's configuration system parses its machine configuration with
/// System.Private.Xml and hashes the program's path with SHA-256 (which loads OpenSSL), and Akka's empty section
/// (a <see cref="ConfigurationSection"/>) pulls in the XML reader and the type converters too: several MiB of a
/// node's memory (bench/README.md, issue 14) for a file the actors program never has.
/// This system answers Akka's lookup with an <c>akka</c> section that holds an empty configuration already, made
/// without running the configuration classes' constructors, and every other lookup with "no such section".
/// Installed through <see cref="IInternalConfigSettingsFactory"/>, the hook .NET's configuration system keeps for a
/// host that brings its own (ASP.NET did); only the actors executable installs it, never a host that embeds the
/// supervision, whose app.config is its own business.
/// </summary>
internal sealed class NoAppConfig : IInternalConfigSystem
{
    private const string FactoryType = "System.Configuration.Internal.InternalConfigSettingsFactory, System.Configuration.ConfigurationManager";

    private readonly object? _akkaSection = EmptyAkkaSection();

    public object? GetSection(string configKey) => configKey == "akka" ? _akkaSection : null;

    public void RefreshConfig(string sectionName)
    {
    }

    public bool SupportsUserConfig => false;

    /// <summary>
    /// Installs it, unless this process's configuration system is already in use (then nothing changes: it only
    /// costs memory). Returns whether it was installed.
    /// </summary>
    public static bool Install()
    {
        try
        {
            if (Type.GetType(FactoryType, throwOnError: false) is not { } type ||
                Activator.CreateInstance(type, nonPublic: true) is not IInternalConfigSettingsFactory factory)
                return false;
            factory.SetConfigurationSystem(new NoAppConfig(), initComplete: true);
            return true;
        }
        catch (InvalidOperationException)
        {
            // "The configuration system has already been set" (or initialised by an earlier lookup).
            return false;
        }
    }

    /// <summary>
    /// Akka's section with its parsed configuration (the private field its <c>AkkaConfig</c> fills on first use) set
    /// to an empty one: what a missing section gives, without the constructors of <see cref="ConfigurationElement"/>.
    /// Null (Akka then makes its empty section itself, at the old cost) if a later Akka names the field otherwise.
    /// </summary>
    private static object? EmptyAkkaSection()
    {
        if (typeof(AkkaConfigurationSection).GetField("_akkaConfig", BindingFlags.NonPublic | BindingFlags.Instance) is not { } field ||
            field.FieldType != typeof(Config))
            return null;
        var section = RuntimeHelpers.GetUninitializedObject(typeof(AkkaConfigurationSection));
        field.SetValue(section, Config.Empty);
        return section;
    }
}
