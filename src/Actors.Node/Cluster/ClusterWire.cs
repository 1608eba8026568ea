using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace Actors.Node.Cluster;

/// <summary>
/// Serializes the messages nodes send each other (<see cref="IClusterWireMessage"/>) as UTF-8 JSON with the type as
/// manifest: small records of strings and lists, readable in a packet capture, and no reliance on Akka's default
/// Newtonsoft serializer for our own types.
/// </summary>
public sealed class ClusterWire(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Akka's serializer identifiers below 100 are its own.</summary>
    public const int Id = 4717;

    private static readonly Dictionary<string, Type> Types = new[]
    {
        typeof(CheckDeclarations), typeof(DeclarationsChecked), typeof(RunCommand), typeof(CommandResults), typeof(ClusterNode.CommandResult),
    }.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public override int Identifier => Id;

    public override string Manifest(object o) => o.GetType().Name;

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType());

    public override object FromBinary(byte[] bytes, string manifest) =>
        Types.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type) ?? throw new System.Runtime.Serialization.SerializationException($"empty {manifest}")
            : throw new System.Runtime.Serialization.SerializationException($"unknown cluster message type {manifest}; the nodes run different versions of actors");
}
