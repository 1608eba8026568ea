using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Actors.Integration.Tests.Http;

/// <summary>One sample of a scrape: its full name (with _total, _bucket...), labels and value.</summary>
public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var v) ? v : "";
}

/// <summary>A metric family: the # TYPE it was declared with and its samples.</summary>
public sealed record Family(string Name, string Type, string Help, List<Sample> Samples);

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4 (what Prometheus itself accepts): it throws on
/// a malformed line, an invalid metric or label name, a bad escape, a family whose samples are not together, a
/// TYPE given twice or after samples, and a series given twice. No package on the feed parses it.
/// </summary>
public static partial class PrometheusText
{
    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static Dictionary<string, Family> Parse(string text)
    {
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        var closed = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var lineNo = 0;
        if (!text.EndsWith('\n')) throw new FormatException("the exposition does not end with a newline");
        void Enter(string name, Func<string> where)
        {
            if (current == name) return;
            if (current is not null) closed.Add(current);
            if (closed.Contains(name)) throw new FormatException($"metric family {name} is not together, {where()}");
            current = name;
        }
        foreach (var line in text.Split('\n')[..^1])
        {
            lineNo++;
            string Where() => $"line {lineNo}: {line}";
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length < 3 || parts[0] != "#" || parts[1] is not ("HELP" or "TYPE")) continue; // a plain comment
                var name = parts[2];
                if (!MetricName().IsMatch(name)) throw new FormatException($"invalid metric name, {Where()}");
                Enter(name, Where);
                families.TryGetValue(name, out var family);
                family ??= new Family(name, "", "", []);
                if (parts[1] == "TYPE")
                {
                    if (parts.Length != 4 || !Types.Contains(parts[3])) throw new FormatException($"invalid TYPE, {Where()}");
                    if (family.Type != "") throw new FormatException($"TYPE given twice, {Where()}");
                    if (family.Samples.Count > 0) throw new FormatException($"TYPE after samples, {Where()}");
                    families[name] = family with { Type = parts[3] };
                }
                else
                {
                    families[name] = family with { Help = parts.Length == 4 ? parts[3] : "" };
                }
                continue;
            }
            var sample = ParseSample(line, Where);
            var familyName = FamilyOf(sample.Name, families);
            Enter(familyName, Where);
            if (!families.TryGetValue(familyName, out var owner))
                families[familyName] = owner = new Family(familyName, "untyped", "", []);
            var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
            if (!series.Add(key)) throw new FormatException($"series given twice, {Where()}");
            owner.Samples.Add(sample);
        }
        return families;
    }

    /// <summary>A counter's samples may carry _total (and _created); histograms and summaries their suffixes.</summary>
    private static string FamilyOf(string sample, Dictionary<string, Family> families)
    {
        if (families.ContainsKey(sample)) return sample;
        foreach (var suffix in new[] { "_total", "_created", "_bucket", "_count", "_sum" })
        {
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && families.ContainsKey(sample[..^suffix.Length])) return sample[..^suffix.Length];
        }
        return sample;
    }

    private static Sample ParseSample(string line, Func<string> where)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ') i++;
        var name = line[..i];
        if (!MetricName().IsMatch(name)) throw new FormatException($"invalid metric name, {where()}");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            if (i < line.Length && line[i] == '{') i = ParseLabels(line, i + 1, labels, where);
        }
        catch (IndexOutOfRangeException)
        {
            throw new FormatException($"unterminated labels, {where()}");
        }
        if (i >= line.Length || line[i] != ' ') throw new FormatException($"no value, {where()}");
        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length > 2) throw new FormatException($"expected a value and an optional timestamp, {where()}");
        var number = rest[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) => v,
            _ => throw new FormatException($"invalid value, {where()}"),
        };
        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            throw new FormatException($"invalid timestamp, {where()}");
        return new Sample(name, labels, number);
    }

    /// <summary>Reads <c>a="x",b="y"}</c> from <paramref name="i"/>; returns the index after the closing brace.</summary>
    private static int ParseLabels(string line, int i, Dictionary<string, string> labels, Func<string> where)
    {
        while (line[i] != '}')
        {
            var eq = line.IndexOf('=', i);
            if (eq < 0) throw new FormatException($"label without =, {where()}");
            var label = line[i..eq];
            if (!LabelName().IsMatch(label) || label.StartsWith("__")) throw new FormatException($"invalid label name '{label}', {where()}");
            if (line[eq + 1] != '"') throw new FormatException($"label value not quoted, {where()}");
            var value = new StringBuilder();
            for (i = eq + 2; line[i] != '"'; i++)
            {
                if (line[i] != '\\')
                {
                    value.Append(line[i]);
                    continue;
                }
                i++;
                value.Append(line[i] switch
                {
                    '\\' => '\\',
                    '"' => '"',
                    'n' => '\n',
                    _ => throw new FormatException($"invalid escape \\{line[i]}, {where()}"),
                });
            }
            if (!labels.TryAdd(label, value.ToString())) throw new FormatException($"label {label} twice, {where()}");
            i++;
            if (line[i] == ',') i++;
            else if (line[i] != '}') throw new FormatException($"expected , or }} after a label, {where()}");
        }
        return i + 1;
    }
}
