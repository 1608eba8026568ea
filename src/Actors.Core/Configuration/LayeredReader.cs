using Akka.Configuration.Hocon;

namespace Actors.Configuration;

/// <summary>One object a key may be found in, with the full key path it sits at.</summary>
internal readonly record struct Layer(HoconObject? Object, string Path, bool IsUser);

/// <summary>A value read through the layers, with the full path of the layer that supplied it.</summary>
internal readonly record struct Read<T>(T Value, string Path, bool IsUser);

internal delegate bool TryParse<T>(string text, out T value);

/// <summary>
/// Reads keys through layers in priority order (a process, then the user's actors.defaults, then the
/// built-in reference). The last layer is always the reference, which holds a valid value for every key,
/// so a bad user value is reported and the default stands in: reading goes on and finds every problem.
/// </summary>
internal sealed class LayeredReader(Diagnostics diagnostics, IReadOnlyList<Layer> layers)
{
    public Diagnostics Diagnostics => diagnostics;

    /// <summary>The first layer's value at <paramref name="key"/> (dotted, relative), if any layer has it.</summary>
    public (HoconValue Value, Layer Layer)? Find(string key)
    {
        foreach (var layer in layers)
        {
            if (FindIn(layer.Object, key) is { } value)
                return (value, layer);
        }
        return null;
    }

    public static HoconValue? FindIn(HoconObject? obj, string key)
    {
        if (!key.Contains('.')) return obj is not null && obj.Items.TryGetValue(key, out var value) ? value : null;
        HoconValue? current = null;
        foreach (var segment in key.Split('.'))
        {
            if (obj is null || !obj.Items.TryGetValue(segment, out current))
                return null;
            obj = current.IsObject() ? current.GetObject() : null;
        }
        return current;
    }

    public string PathOf(Layer layer, string key) => $"{layer.Path}.{key}";

    /// <summary>The path a missing or invalid key is reported at: where the top layer would hold it.</summary>
    public string TopPath(string key) => PathOf(layers[0], key);

    public Read<T> Scalar<T>(string key, TryParse<T> parse, string what, string hint)
    {
        // The reference's value stands in only when no layer has a usable one: read only then (each process reads
        // about a hundred keys, and a configuration may declare hundreds of processes).
        if (Find(key) is not var (value, layer))
            return new Read<T>(FallbackScalar(key, parse), TopPath(key), false);
        var path = PathOf(layer, key);
        if (!IsScalar(value))
        {
            diagnostics.Error(path, $"{Describe(value)} is not {what}; {hint}");
            return new Read<T>(FallbackScalar(key, parse), path, layer.IsUser);
        }
        var text = value.GetString() ?? "";
        if (!parse(text, out var parsed))
        {
            diagnostics.Error(path, $"\"{text}\" is not {what}; {hint}");
            return new Read<T>(FallbackScalar(key, parse), path, layer.IsUser);
        }
        return new Read<T>(parsed, path, layer.IsUser);
    }

    public Read<string> String(string key) =>
        Scalar(key, (string t, out string v) => { v = t; return true; }, "a string", "write it in quotes, e.g. \"text\"");

    public Read<bool> Bool(string key) => Scalar<bool>(key, HoconScalars.TryBool, "on or off", HoconScalars.BoolHint);

    public Read<TimeSpan> Duration(string key) =>
        Scalar<TimeSpan>(key, HoconScalars.TryDuration, "a duration", HoconScalars.DurationHint);

    public Read<int> Int(string key) => Scalar<int>(key, HoconScalars.TryInt, "a whole number", "use e.g. 10");

    /// <summary>A list of scalars; each element that does not parse is reported at <c>key[i]</c>.</summary>
    public Read<IReadOnlyList<T>> List<T>(string key, TryParse<T> parse, string what, string hint)
    {
        if (Find(key) is not var (value, layer))
            return new Read<IReadOnlyList<T>>([], TopPath(key), false);
        var path = PathOf(layer, key);
        if (!IsList(value))
        {
            diagnostics.Error(path, $"{Describe(value)} is not a list; use e.g. [{hint}]");
            return new Read<IReadOnlyList<T>>([], path, layer.IsUser);
        }
        var items = new List<T>();
        var elements = Elements(value);
        for (var i = 0; i < elements.Count; i++)
        {
            var element = elements[i];
            var text = IsScalar(element) ? element.GetString() ?? "" : null;
            if (text is not null && parse(text, out var parsed))
                items.Add(parsed);
            else
                diagnostics.Error(path, $"element {i + 1} is {(text is null ? Describe(element) : $"\"{text}\"")}, which is not {what}; use e.g. [{hint}]");
        }
        return new Read<IReadOnlyList<T>>(items, path, layer.IsUser);
    }

    /// <summary>
    /// An object merged across layers key by key (lower layers first, so higher ones override),
    /// as HOCON merges objects: env set in actors.defaults and in a process both apply.
    /// </summary>
    public IReadOnlyList<(string Key, HoconValue Value, string Path)> MergedObject(string key)
    {
        var merged = new Dictionary<string, (HoconValue, string)>(StringComparer.Ordinal);
        for (var i = layers.Count - 1; i >= 0; i--)
        {
            if (FindIn(layers[i].Object, key) is not { } value)
                continue;
            var path = PathOf(layers[i], key);
            if (!value.IsObject())
            {
                diagnostics.Error(path, $"{Describe(value)} is not an object; use e.g. {key} {{ NAME = \"value\" }}");
                continue;
            }
            foreach (var (k, v) in value.GetObject().Items)
                merged[k] = (v, $"{path}.{k}");
        }
        return merged.Select(kv => (kv.Key, kv.Value.Item1, kv.Value.Item2)).ToList();
    }

    private T FallbackScalar<T>(string key, TryParse<T> parse)
    {
        var reference = FindIn(layers[^1].Object, key);
        return reference is not null && IsScalar(reference) && parse(reference.GetString() ?? "", out var v) ? v : default!;
    }

    public static bool IsScalar(HoconValue value) => !value.IsObject() && !IsList(value);

    // Akka's IsArray() is false for an empty list written as [] (but true for [ ]), and `[] }` on one line parses as
    // the list followed by a blank literal (the space before the brace, as if concatenated): look at the elements,
    // blanks aside.
    public static bool IsList(HoconValue value)
    {
        // Most values are one literal, which is no list: said without Akka's IsArray(), which allocates.
        if (value.Values is [HoconLiteral]) return false;
        if (value.IsArray()) return true;
        var parts = value.Values.Where(e => !(e is HoconLiteral literal && string.IsNullOrWhiteSpace(literal.Value))).ToList();
        return parts.Count > 0 && parts.All(e => e is HoconArray);
    }

    // `[ ]` holds one element with nothing in it (not even ""): no element at all. `[""]` holds an empty string.
    private static List<HoconValue> Elements(HoconValue value) =>
        value.Values.OfType<HoconArray>().SelectMany(a => a).Where(e => e.Values.Count > 0).ToList();

    public static string Describe(HoconValue value) =>
        value.IsObject() ? "an object { }" : IsList(value) ? "a list [ ]" : $"\"{value.GetString()}\"";
}
