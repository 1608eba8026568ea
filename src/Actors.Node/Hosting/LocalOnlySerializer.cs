using System.Diagnostics.CodeAnalysis;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;

namespace Actors.Node.Hosting;

/// <summary>
/// Akka's default serializer for every object (<c>akka.actor.serializers.json</c>) in an ActorSystem whose messages
/// never leave the process: a node without <c>actors.cluster</c>, and <c>actors exec</c>. Akka creates every
/// configured serializer when the ActorSystem starts, and its default, Newtonsoft.Json's, costs about a MiB of a node's
/// memory (the library's code and its settings, compiled as they run) for nothing, since local messages are passed as
/// objects. A node with the cluster keeps Akka's serializers (its messages cross the network). If something does ask
/// to serialize here (a setting such as <c>akka.actor.serialize-messages</c>, which the node does not set), it fails
/// with a message that says why, instead of silently sending empty bytes.
/// </summary>
internal sealed class LocalOnlySerializer : Serializer
{
    public LocalOnlySerializer(ExtendedActorSystem system) : base(system)
    {
    }

    /// <summary>What Akka calls: it hands the serializer its settings (akka.actor.serialization-settings.json).</summary>
    public LocalOnlySerializer(ExtendedActorSystem system, Config settings) : base(system)
    {
    }

    /// <summary>
    /// HOCON that puts this serializer in the place of Akka's JSON one. Akka creates it by its name: the trimmed
    /// publish must keep its constructor.
    /// </summary>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(LocalOnlySerializer))]
    public static readonly string Hocon = $"akka.actor.serializers.json = \"{typeof(LocalOnlySerializer).FullName}, {typeof(LocalOnlySerializer).Assembly.GetName().Name}\"";

    /// <summary>Newtonsoft's identifier, whose place it takes: nothing else in a local system uses it.</summary>
    public override int Identifier => 1;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) =>
        throw new NotSupportedException($"cannot serialize a {obj?.GetType().FullName ?? "null"}: this actor system is local (no actors.cluster), its messages are never serialized");

    public override object FromBinary(byte[] bytes, Type type) =>
        throw new NotSupportedException($"cannot deserialize a {type.FullName}: this actor system is local (no actors.cluster), its messages are never serialized");
}
