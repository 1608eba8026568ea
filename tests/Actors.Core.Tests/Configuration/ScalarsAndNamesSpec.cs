using Actors.Configuration;
using Xunit;

namespace Actors.Core.Tests.Configuration;

/// <summary>Durations, sizes and names as the configuration reads them.</summary>
public sealed class ScalarsAndNamesSpec
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("1.5 s", 1500)]
    [InlineData("  2m ", 120_000)]
    [InlineData("\t3\tminutes\n", 180_000)]
    [InlineData("0", 0)]
    public void A_duration_is_a_number_and_its_unit_with_blanks_around_either(string text, double milliseconds)
    {
        Assert.True(HoconScalars.TryDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ms")]
    [InlineData("10")] // a bare number other than 0 needs its unit
    [InlineData("1.s")]
    [InlineData(".5s")]
    [InlineData("1e3ms")]
    [InlineData("1,5s")]
    [InlineData("1 s 2")]
    [InlineData("10 parsecs")]
    [InlineData("١٢s")] // Arabic-Indic digits: \d took them, and double.Parse then threw
    public void Anything_else_is_not_a_duration(string text)
    {
        Assert.False(HoconScalars.TryDuration(text, out _));
    }

    [Theory]
    [InlineData("10MiB", 10L * 1024 * 1024)]
    [InlineData("50MB", 50_000_000L)]
    [InlineData(" 512 ", 512L)]
    public void A_size_is_a_number_and_its_unit(string text, long bytes)
    {
        Assert.True(HoconScalars.TrySize(text, out var size));
        Assert.Equal(bytes, size);
    }

    [Theory]
    [InlineData("١MB")]
    [InlineData("1.MB")]
    [InlineData("MB")]
    public void Anything_else_is_not_a_size(string text)
    {
        Assert.False(HoconScalars.TrySize(text, out _));
    }

    [Theory]
    [InlineData("web", true)]
    [InlineData("web-1.worker_a", true)]
    [InlineData("-leading", true)]
    [InlineData("", false)]
    [InlineData("bad name", false)]
    [InlineData("web\n", false)] // a regular expression's $ matched before a final newline
    [InlineData("wéb", false)]
    [InlineData("a/b", false)]
    public void Names_are_ascii_letters_digits_dots_underscores_and_dashes(string name, bool valid)
    {
        Assert.Equal(valid, ConfigNames.IsName(name));
    }

    [Theory]
    [InlineData("10.0.0.5", true)]
    [InlineData("node1.example", true)]
    [InlineData("-node", false)]
    [InlineData(".node", false)]
    [InlineData("", false)]
    [InlineData("node 1", false)]
    public void Host_names_start_with_a_letter_or_digit(string host, bool valid)
    {
        Assert.Equal(valid, ConfigNames.IsHostName(host));
    }
}
