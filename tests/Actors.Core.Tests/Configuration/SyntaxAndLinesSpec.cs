using Actors.Configuration;
using Xunit;

namespace Actors.Core.Tests.Configuration;

public sealed class SyntaxAndLinesSpec : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Line_index_finds_nested_blocks_dotted_keys_and_skips_comments_and_strings()
    {
        var index = HoconLineIndex.Build(""""
            # actors { fake = 1 }
            actors {
              // processes { also-fake = 1 }
              processes {
                web {
                  command = "a # not a comment { ["
                  backoff.min = 1s
                  args = [
                    "x",
                    { nested = 1 }
                  ]
                  description = """multi
            line = 9
            """
                  stop: { signal: TERM }
                }
                api.command = sh
              }
            }
            """");

        Assert.Empty(index.SyntaxErrors);
        Assert.Equal(2, index.LineOf("actors"));
        Assert.Equal(4, index.LineOf("actors.processes"));
        Assert.Equal(5, index.LineOf("actors.processes.web"));
        Assert.Equal(6, index.LineOf("actors.processes.web.command"));
        Assert.Equal(7, index.LineOf("actors.processes.web.backoff"));
        Assert.Equal(7, index.LineOf("actors.processes.web.backoff.min"));
        Assert.Equal(8, index.LineOf("actors.processes.web.args"));
        Assert.Equal(12, index.LineOf("actors.processes.web.description"));
        Assert.Equal(15, index.LineOf("actors.processes.web.stop.signal"));
        Assert.Equal(17, index.LineOf("actors.processes.api.command"));
        Assert.Equal(7, index.LineOf("actors.processes.web.backoff.max"));
        Assert.Equal(5, index.LineOf("actors.processes.web.restart"));
        Assert.Equal(2, index.LineOf("actors.fake"));
        Assert.Equal(2, index.LineOf("actors.also-fake"));
        Assert.Null(index.LineOf("elsewhere"));
    }

    [Theory]
    [InlineData("actors {\n  processes {\n    web { args = [1, 2\n  }\n}", 3, "'[' opened here is never closed")]
    [InlineData("actors {\n  processes {\n", 2, "'{' opened here is never closed")]
    [InlineData("actors { }\n}", 2, "unexpected '}'")]
    [InlineData("actors {\n  node.state-dir = \"oops\n}", 2, "not closed on the same line")]
    [InlineData("actors {\n  node.state-dir =\n}", 2, "has no value")]
    [InlineData("actors {\n  node state-dir = x\n}", 2, "expected '=', ':' or '{'")]
    [InlineData("include \"other.conf\"\nactors {}", 1, "include is not supported")]
    [InlineData("actors.node.state-dir = ${nowhere}", 1, "Unresolved substitution")]
    public void A_syntax_error_is_one_error_with_its_line_and_never_an_exception(string text, int line, string message)
    {
        var path = _temp.Write(text);

        var result = ConfigLoader.LoadFile(path);

        Assert.False(result.IsValid);
        Assert.Null(result.Settings);
        var error = Assert.Single(result.Errors);
        Assert.Equal((path, line), (error.File, error.Line));
        Assert.Contains(message, error.Message);
        Assert.StartsWith($"{path}:{line}: ", error.ToString());
    }

    [Fact]
    public void A_key_value_pair_inside_a_list_is_an_error_not_a_hang()
    {
        var result = ConfigLoader.LoadText("actors.processes {\n  a {\n    command = sh\n    args = [ a = 1 ]\n  }\n}", "f.conf", _temp.Dir);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("f.conf:4: syntax error: '=' inside a list", error.ToString());
    }

    [Fact]
    public void Fields_separated_by_commas_after_a_closing_brace_are_accepted_and_lines_stay_right()
    {
        var result = ConfigLoader.LoadText(
            "actors.processes {\n  a { command = x, backoff { min = 0s, max = 0s }, stop { timeout = 1s }, log.keep = 1 }\n" +
            "  b { command = x, start-limit { burst = 2 }, restart = sometimes }\n}\n", "f.conf", _temp.Dir);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("f.conf:3: actors.processes.b.restart:", error.ToString());
    }

    [Fact]
    public void A_parser_error_with_a_position_gets_its_line()
    {
        // Only Akka's parser sees this one (a value after an object on the same line); it reports a character position.
        var result = ConfigLoader.LoadText("actors {\n  processes {\n    a { command = sh }\n    b { command = sh } c\n  }\n}", null, _temp.Dir);

        var error = Assert.Single(result.Errors);
        Assert.Equal(4, error.Line);
        Assert.Contains("syntax error", error.Message);
    }

    [Fact]
    public void Problems_print_as_file_line_key_message()
    {
        Assert.Equal("f.conf:3: actors.node.log-dir: bad", new ConfigProblem("f.conf", 3, "actors.node.log-dir", "bad").ToString());
        Assert.Equal("f.conf: actors.node.log-dir: bad", new ConfigProblem("f.conf", null, "actors.node.log-dir", "bad").ToString());
        Assert.Equal("f.conf:7: bad", new ConfigProblem("f.conf", 7, "", "bad").ToString());
    }
}
