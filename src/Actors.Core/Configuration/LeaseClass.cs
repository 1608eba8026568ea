using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration.Hocon;
using Akka.Coordination;

namespace Actors.Configuration;

/// <summary>
/// <c>lease.class</c>: finds an <see cref="Lease"/> implementation by its assembly-qualified name and checks, without
/// creating it, that it can be made the way Akka's <c>LeaseProvider</c> makes leases (a public constructor taking
/// <see cref="LeaseSettings"/>, optionally with the <see cref="ActorSystem"/>). Its assembly is looked for among the
/// assemblies already loaded, then beside the binary (<see cref="AppContext.BaseDirectory"/>), then in the folder of
/// <c>lease.assembly</c>, which also serves the assembly's own dependencies (a Kubernetes lease brings its client).
/// Used by check-config, <c>run</c> and embedded hosts alike, so what check-config accepts is what the node loads.
/// </summary>
public static class LeaseClass
{
    /// <summary>Keys of a lease's config block that the lease block's own keys set; <c>lease.settings</c> may not set them.</summary>
    public static readonly IReadOnlyDictionary<string, string> Reserved = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["lease-class"] = "lease.class",
        ["heartbeat-interval"] = "lease.heartbeat-interval",
        ["heartbeat-timeout"] = "lease.ttl",
    };

    // Folders whose assemblies resolve what the default load context cannot find (beside the binary, lease.assembly's).
    private static readonly ConcurrentDictionary<string, bool> Folders = new(StringComparer.Ordinal);
    private static int _hooked;

    /// <summary>
    /// The type named by <paramref name="className"/>, its assembly found as the class comment says; null with
    /// <paramref name="problem"/> saying what is wrong and what to do.
    /// </summary>
    public static Type? Resolve(string className, string? assemblyPath, out string problem)
    {
        problem = "";
        var comma = className.IndexOf(',');
        if (comma <= 0 || comma == className.Length - 1)
        {
            problem = "not an assembly-qualified class name; write \"Namespace.Type, AssemblyName\", e.g. \"Akka.Coordination.KubernetesApi.KubernetesLease, Akka.Coordination.KubernetesApi\"";
            return null;
        }
        var typeName = className[..comma].Trim();
        AssemblyName wanted;
        try
        {
            wanted = new AssemblyName(className[(comma + 1)..].Trim());
        }
        catch (Exception e) when (e is ArgumentException or FileLoadException)
        {
            problem = $"no valid assembly name after the comma ({e.Message}); write \"Namespace.Type, AssemblyName\"";
            return null;
        }
        if (string.IsNullOrWhiteSpace(wanted.Name) || wanted.Name.IndexOfAny(['/', '\\']) >= 0)
        {
            problem = "names no assembly after the comma (an assembly name, not a path; a path goes in lease.assembly); write \"Namespace.Type, AssemblyName\"";
            return null;
        }
        Hook();
        Folders.TryAdd(AppContext.BaseDirectory, true);
        if (assemblyPath is not null)
        {
            if (!File.Exists(assemblyPath))
            {
                problem = $"lease.assembly {assemblyPath} does not exist; set it to the path of the .dll that holds the class";
                return null;
            }
            string? inFile;
            try
            {
                inFile = AssemblyName.GetAssemblyName(assemblyPath).Name;
            }
            catch (Exception e) when (e is BadImageFormatException or IOException or ArgumentException)
            {
                problem = $"lease.assembly {assemblyPath} is not a .NET assembly ({e.Message})";
                return null;
            }
            if (!string.Equals(inFile, wanted.Name, StringComparison.OrdinalIgnoreCase))
            {
                problem = $"the class is in assembly {wanted.Name}, but lease.assembly {assemblyPath} is assembly {inFile}; make them agree";
                return null;
            }
            Folders.TryAdd(Path.GetDirectoryName(assemblyPath)!, true);
        }
        Assembly assembly;
        try
        {
            assembly = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => string.Equals(a.GetName().Name, wanted.Name, StringComparison.OrdinalIgnoreCase))
                       ?? AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(wanted.Name!));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException or ArgumentException)
        {
            problem = e is FileNotFoundException
                ? $"assembly {wanted.Name} is not among the node's assemblies nor beside its binary ({AppContext.BaseDirectory}); put {wanted.Name}.dll there or set lease.assembly to its path"
                : $"assembly {wanted.Name} cannot be loaded: {e.Message}";
            return null;
        }
        Type? type;
        try
        {
            type = assembly.GetType(typeName, throwOnError: false);
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or TypeLoadException or BadImageFormatException or ArgumentException)
        {
            problem = $"type {typeName} in {assembly.GetName().Name} cannot be loaded: {e.Message}";
            return null;
        }
        if (type is null)
        {
            var near = KeyChecker.Suggest(typeName, SafeTypes(assembly).Where(t => t.IsSubclassOf(typeof(Lease))).Select(t => t.FullName!));
            problem = $"assembly {assembly.GetName().Name} ({Where(assembly)}) has no type {typeName}" +
                      (near is null ? "; write the type's full name with its namespace" : $"; did you mean {near}?");
            return null;
        }
        return type;
    }

    /// <summary>
    /// What keeps <paramref name="type"/> from being made as a lease: not a <see cref="Lease"/>, abstract, or without a
    /// constructor Akka's <c>LeaseProvider</c> calls. Null when it can be made.
    /// </summary>
    public static string? ShapeProblem(Type type)
    {
        if (!type.IsSubclassOf(typeof(Lease)))
            return $"{type.FullName} is not an Akka.Coordination.Lease (it derives from {type.BaseType?.FullName ?? "nothing"}); name a class that derives from Akka.Coordination.Lease";
        if (type.IsAbstract || type.ContainsGenericParameters)
            return $"{type.FullName} is abstract; name a concrete lease class";
        if (Constructor(type) is null)
            return $"{type.FullName} has no public constructor ({nameof(LeaseSettings)}, {nameof(ActorSystem)}) or ({nameof(LeaseSettings)}), which Akka's LeaseProvider calls";
        return null;
    }

    /// <summary>
    /// What check-config can know without starting anything: the class is found, is a lease, has a constructor the node
    /// can call, and lease.settings leaves the keys the lease block sets alone. Each problem names the key and the value.
    /// </summary>
    internal static void Check(Diagnostics d, Read<string> leaseClass, string? assemblyPath, IReadOnlyList<(string Key, HoconValue Value, string Path)> settings)
    {
        var type = Resolve(leaseClass.Value.Trim(), assemblyPath, out var problem);
        if (type is null)
            d.Error(leaseClass.Path, $"\"{leaseClass.Value}\": {problem}");
        else if (ShapeProblem(type) is { } shape)
            d.Error(leaseClass.Path, $"\"{leaseClass.Value}\": {shape}");
        foreach (var (key, _, path) in settings)
            if (Reserved.TryGetValue(key, out var own))
                d.Error(path, $"is set by {own}; remove it from lease.settings");
    }

    /// <summary>The constructor a lease is made with, in LeaseProvider's order of preference.</summary>
    public static ConstructorInfo? Constructor(Type type) =>
        type.GetConstructor([typeof(LeaseSettings), typeof(ExtendedActorSystem)])
        ?? type.GetConstructor([typeof(LeaseSettings), typeof(ActorSystem)])
        ?? type.GetConstructor([typeof(LeaseSettings)]);

    /// <summary>
    /// <c>lease.settings</c> as HOCON text: every scalar a quoted string (a lease reads durations and numbers from strings
    /// as well), lists and objects as they are, keys quoted. Empty for no keys.
    /// </summary>
    public static string RenderSettings(IEnumerable<(string Key, HoconValue Value)> items)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in items.OrderBy(i => i.Key, StringComparer.Ordinal))
            text.Append(JsonSerializer.Serialize(key)).Append(" = ").Append(Render(value)).Append('\n');
        return text.ToString();
    }

    private static string Render(HoconValue value)
    {
        if (value.IsObject())
            return "{\n" + RenderSettings(value.GetObject().Items.Select(kv => (kv.Key, kv.Value))) + "}";
        if (LayeredReader.IsList(value))
            return "[" + string.Join(", ", value.Values.OfType<HoconArray>().SelectMany(a => a).Select(Render)) + "]";
        return JsonSerializer.Serialize(value.GetString() ?? "");
    }

    private static string Where(Assembly assembly) => assembly.IsDynamic || assembly.Location.Length == 0 ? "loaded" : assembly.Location;

    private static IEnumerable<Type> SafeTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }

    /// <summary>
    /// Once per process: what the default load context cannot find is looked for in the registered folders. The
    /// default context keeps Akka and Actors themselves, so a lease assembly shares their types (its Lease is ours).
    /// </summary>
    private static void Hook()
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 1) return;
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            // Only plain assembly names: never a path smuggled in through the name.
            if (string.IsNullOrEmpty(name.Name) || name.Name.IndexOfAny(['/', '\\']) >= 0) return null;
            foreach (var folder in Folders.Keys)
            {
                var candidate = Path.Combine(folder, name.Name + ".dll");
                if (File.Exists(candidate)) return context.LoadFromAssemblyPath(candidate);
            }
            return null;
        };
    }
}
