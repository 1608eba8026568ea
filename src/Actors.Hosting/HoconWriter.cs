using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Actors.Hosting;

/// <summary>
/// Writes typed options as HOCON for the one configuration reader. Only what is set is written, so what is not
/// keeps its documented default. Strings are JSON-quoted (a valid HOCON quoted string), keys always quoted.
/// </summary>
internal sealed class HoconWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    public static string Quote(string value) => JsonSerializer.Serialize(value);

    public void Open(string key)
    {
        Line($"{Quote(key)} {{");
        _depth++;
    }

    public void Close()
    {
        _depth--;
        Line("}");
    }

    public void Raw(string key, string? value)
    {
        if (value is not null) Line($"{Quote(key)} = {value}");
    }

    public void String(string key, string? value) => Raw(key, value is null ? null : Quote(value));

    public void Bool(string key, bool? value) => Raw(key, value is null ? null : value.Value ? "on" : "off");

    public void Int(string key, int? value) => Raw(key, value?.ToString(CultureInfo.InvariantCulture));

    // Milliseconds keep any TimeSpan a user can mean exactly enough; the reader checks the range.
    public void Duration(string key, TimeSpan? value) =>
        Raw(key, value is null ? null : $"{((long)Math.Round(value.Value.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture)}ms");

    public void List(string key, IEnumerable<string>? values) =>
        Raw(key, values is null ? null : $"[{string.Join(", ", values.Select(Quote))}]");

    public void Ints(string key, IEnumerable<int>? values) =>
        Raw(key, values is null ? null : $"[{string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)))}]");

    public void Map(string key, IEnumerable<KeyValuePair<string, string>>? values)
    {
        if (values is null) return;
        Open(key);
        foreach (var (k, v) in values) String(k, v);
        Close();
    }

    private void Line(string text) => _text.Append(' ', _depth * 2).Append(text).Append('\n');

    public override string ToString() => _text.ToString();
}
