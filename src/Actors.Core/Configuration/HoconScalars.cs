using System.Globalization;
using System.Text.RegularExpressions;

namespace Actors.Configuration;

/// <summary>
/// Parses HOCON scalar forms from their text. Akka's parser keeps every scalar as text, so the typing
/// (and the message that says what would have been accepted) happens here.
/// </summary>
internal static partial class HoconScalars
{
    public const string DurationHint = "use e.g. 500ms, 1s, 2m";
    public const string SizeHint = "use e.g. 50MB, 10MiB, 512k or a plain number of bytes";
    public const string BoolHint = "use on/off, true/false or yes/no";

    // [0-9], not \d: \d also takes other scripts' digits (Arabic-Indic), which double.Parse then throws on.
    [GeneratedRegex(@"^\s*(-?[0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*$")]
    private static partial Regex NumberWithUnit();

    /// <summary>
    /// A duration needs a unit. A bare number would be milliseconds by the HOCON spec, which turns
    /// <c>timeout = 10</c> into 10 ms; requiring the unit removes that trap (a bare 0 is unambiguous).
    /// </summary>
    public static bool TryDuration(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var m = NumberWithUnit().Match(text);
        if (!m.Success)
            return false;
        var number = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        double? ms = m.Groups[2].Value switch
        {
            "" when number == 0 => 0,
            "ns" or "nanosecond" or "nanoseconds" => number / 1_000_000,
            "us" or "microsecond" or "microseconds" => number / 1_000,
            "ms" or "millisecond" or "milliseconds" => number,
            "s" or "second" or "seconds" => number * 1_000,
            "m" or "minute" or "minutes" => number * 60_000,
            "h" or "hour" or "hours" => number * 3_600_000,
            "d" or "day" or "days" => number * 86_400_000,
            _ => null,
        };
        if (ms is not { } milliseconds || Math.Abs(milliseconds) > TimeSpan.MaxValue.TotalMilliseconds / 2)
            return false;
        value = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    /// <summary>Byte sizes as the HOCON spec defines them: kB/MB/GB are powers of 1000, k/K/KiB/M/MiB/G/GiB of 1024.</summary>
    public static bool TrySize(string text, out long value)
    {
        value = 0;
        var m = NumberWithUnit().Match(text);
        if (!m.Success)
            return false;
        var number = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        double? factor = m.Groups[2].Value switch
        {
            "" or "B" or "b" or "byte" or "bytes" => 1,
            "kB" or "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "k" or "K" or "Ki" or "KiB" => 1024,
            "m" or "M" or "Mi" or "MiB" => 1024 * 1024,
            "g" or "G" or "Gi" or "GiB" => 1024 * 1024 * 1024,
            _ => null,
        };
        if (factor is not { } f || number * f > long.MaxValue / 2)
            return false;
        value = (long)Math.Round(number * f);
        return true;
    }

    public static bool TryBool(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "on" or "true" or "yes":
                value = true;
                return true;
            case "off" or "false" or "no":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    public static bool TryInt(string text, out int value) =>
        int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    public static bool TryDouble(string text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>A compact human form of a duration for messages: 1500ms → "1.5s".</summary>
    public static string Format(TimeSpan t) =>
        t.TotalMilliseconds % 60_000 == 0 && t.TotalMinutes != 0 ? $"{t.TotalMinutes.ToString(CultureInfo.InvariantCulture)}m"
        : t.TotalMilliseconds % 1000 == 0 ? $"{t.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s"
        : $"{t.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";

    public const string OptionalDurationHint = "use off, or a duration above 0 such as 500ms, 30s, 2m";

    /// <summary>A duration that may be switched off: off (or none, false, no) → null; otherwise as <see cref="TryDuration"/>.</summary>
    public static bool TryOptionalDuration(string text, out TimeSpan? value)
    {
        value = null;
        if (text.Trim().ToLowerInvariant() is "off" or "none" or "false" or "no") return true;
        if (!TryDuration(text, out var duration)) return false;
        value = duration;
        return true;
    }

    /// <summary>"MIN..MAX" with both durations (e.g. 1s..30s), MIN &lt;= MAX, MIN &gt; 0.</summary>
    public static bool TryDurationRange(string text, out TimeSpan min, out TimeSpan max)
    {
        min = max = TimeSpan.Zero;
        var parts = text.Split("..");
        return parts.Length == 2 && TryDuration(parts[0], out min) && TryDuration(parts[1], out max)
            && min > TimeSpan.Zero && max >= min;
    }
}
