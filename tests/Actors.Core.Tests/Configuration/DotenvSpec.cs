using Actors.Configuration;
using Xunit;

namespace Actors.Core.Tests.Configuration;

public sealed class DotenvSpec
{
    private static readonly Dictionary<string, string> Node = new() { ["HOME"] = "/root", ["EMPTY"] = "", ["USER"] = "ops" };

    private static Dictionary<string, string> Parse(string text)
    {
        var values = new Dictionary<string, string>();
        var error = Dotenv.Parse(text, values, name => Node.TryGetValue(name, out var v) ? v : null);
        Assert.True(error is null, error?.ToString());
        return values;
    }

    private static DotenvError Fails(string text)
    {
        var error = Dotenv.Parse(text, new Dictionary<string, string>(), _ => null);
        Assert.NotNull(error);
        return error;
    }

    [Fact]
    public void Comments_blank_lines_export_and_spaces_around_the_equals_sign_are_understood()
    {
        var values = Parse("""
            # a comment

               # an indented comment
            export A=1
            B = two words  
            C=value # trailing comment
            D=a#b
            E=#not-a-comment
            F=
            """.Replace("\n", "\r\n"));

        Assert.Equal(new Dictionary<string, string>
        {
            ["A"] = "1", ["B"] = "two words", ["C"] = "value", ["D"] = "a#b", ["E"] = "#not-a-comment", ["F"] = "",
        }, values);
    }

    [Fact]
    public void Single_quotes_are_literal_and_double_quotes_take_escapes_and_references()
    {
        var values = Parse("""
            RAW='$HOME \n "x" # kept'
            COOKED="$HOME\n\t\"q\" \\ \$HOME # kept"
            ODD="a\qb"
            """);

        Assert.Equal("$HOME \\n \"x\" # kept", values["RAW"]);
        Assert.Equal("/root\n\t\"q\" \\ $HOME # kept", values["COOKED"]);
        Assert.Equal("a\\qb", values["ODD"]);
    }

    [Fact]
    public void Quoted_values_may_span_lines_and_later_lines_keep_their_numbers()
    {
        var values = Parse("KEY=\"-----BEGIN-----\nabc\n-----END-----\"\nNEXT='a\nb'\nLAST=1\n");

        Assert.Equal("-----BEGIN-----\nabc\n-----END-----", values["KEY"]);
        Assert.Equal("a\nb", values["NEXT"]);
        Assert.Equal(6, Fails("KEY=\"a\nb\nc\"\nNEXT='a\nb'\n!bad\n").Line);
    }

    [Fact]
    public void References_see_earlier_lines_then_the_node_environment_with_defaults()
    {
        var values = Parse("""
            HOST=db
            URL=postgres://${HOST}:${PORT:-5432}/$USER
            EMPTY_DEFAULT=${EMPTY:-fallback}
            UNSET_ONLY=${EMPTY-fallback}|${NOPE-fallback}
            MISSING=[${NOPE}]
            DOLLAR=5$ and $1 and ${HOST}-1
            HOST=override
            """);

        Assert.Equal("postgres://db:5432/ops", values["URL"]);
        Assert.Equal("fallback", values["EMPTY_DEFAULT"]);
        Assert.Equal("|fallback", values["UNSET_ONLY"]);
        Assert.Equal("[]", values["MISSING"]);
        Assert.Equal("5$ and $1 and db-1", values["DOLLAR"]);
        Assert.Equal("override", values["HOST"]);
    }

    [Fact]
    public void A_bare_name_passes_the_node_value_on_and_an_unknown_one_sets_nothing()
    {
        var values = Parse("HOME\nNOT_IN_NODE # comment\n");

        Assert.Equal(new Dictionary<string, string> { ["HOME"] = "/root" }, values);
    }

    [Theory]
    [InlineData("A=1\nB=\"never closed\nC=3\n", 2, "double quote opened here is never closed")]
    [InlineData("A=1\n\nB='never closed\n", 3, "single quote opened here is never closed")]
    [InlineData("A=1\nB=\"x\" y\n", 2, "after the closing quote")]
    [InlineData("A=1\n1A=2\n", 2, "\"1A\" is not a valid variable name")]
    [InlineData("A=1\nB\tC=2\n", 2, "expected '=' after B")]
    [InlineData("A=1\n=2\n", 2, "expected NAME=value")]
    [InlineData("A=${B\n", 1, "${ is never closed")]
    [InlineData("A=${B:?x}\n", 1, "is not a reference")]
    [InlineData("A=1\nB=x\0y\n", 2, "NUL")]
    public void A_malformed_line_is_reported_with_its_number_and_what_to_do(string text, int line, string message)
    {
        var error = Fails(text);

        Assert.Equal(line, error.Line);
        Assert.Contains(message, error.Message);
    }
}
