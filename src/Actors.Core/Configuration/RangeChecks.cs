namespace Actors.Configuration;

/// <summary>The range rules several readers apply to a value they read, each with the same message wherever it is broken.</summary>
internal static class RangeChecks
{
    public static void NotNegative(this Diagnostics d, Read<TimeSpan> value, string example = "1s")
    {
        if (value.Value < TimeSpan.Zero)
            d.Error(value.Path, $"{HoconScalars.Format(value.Value)} is negative; use 0 or more, e.g. {example}");
    }

    /// <returns>Whether the value is above 0 (rules that compare it with another value apply only then).</returns>
    public static bool Positive(this Diagnostics d, Read<TimeSpan> value, string example)
    {
        if (value.Value > TimeSpan.Zero) return true;
        d.Error(value.Path, $"{HoconScalars.Format(value.Value)} is out of range; use a duration above 0, e.g. {example}");
        return false;
    }

    public static void AtLeastOne(this Diagnostics d, Read<int> value)
    {
        if (value.Value < 1)
            d.Error(value.Path, $"{value.Value} is out of range; use 1 or more");
    }
}
