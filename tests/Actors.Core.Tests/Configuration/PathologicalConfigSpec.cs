using System.Text;
using Actors.Configuration;
using Xunit;

namespace Actors.Core.Tests.Configuration;

/// <summary>
/// Files that used to overflow the stack (which kills the whole process, node included) or keep Akka's parser
/// spinning: each is one error with its file and line, found at a cost (<see cref="Cost"/>) under 2 s.
/// </summary>
public sealed class PathologicalConfigSpec : IDisposable
{
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(2);
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private static ConfigProblem SingleErrorWithin(string text, TimeSpan bound)
    {
        var (result, cost, wall) = Cost.Of(() => ConfigLoader.LoadText(text, "f.conf", "/"));
        Assert.True(cost < bound, $"cost {cost} (wall {wall})");
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.NotNull(error.Line);
        return error;
    }

    [Theory]
    [InlineData("{\nk = ", "\n}")]
    [InlineData("{\nk ", "\n}")]
    [InlineData("[\n", "\n]")]
    [InlineData("[{\nk = ", "\n}]")]
    public void A_file_nested_100000_deep_is_one_error_at_the_line_that_opens_level_65(string open, string close)
    {
        var text = new StringBuilder("actors.processes.a {\n  command = sh\n  x = ");
        var levelOneLine = 3;
        for (var i = 0; i < 100_000; i++) text.Append(open);
        text.Append('1');
        for (var i = 0; i < 100_000; i++) text.Append(close);
        text.Append("\n}\n");

        // actors.processes.a is three levels (a dotted key nests like braces), so the value's own opening
        // brackets start at level 4 on line 3; each line opens one or two of them.
        var error = SingleErrorWithin(text.ToString(), Answer);

        var perLine = open.Count(c => c is '{' or '[');
        var firstTooDeep = levelOneLine + (ConfigLimits.MaxDepth - 3) / perLine;
        Assert.Equal(firstTooDeep, error.Line);
        Assert.Contains($"nested deeper than {ConfigLimits.MaxDepth} levels", error.Message);
    }

    [Fact]
    public void A_dotted_key_of_100000_parts_is_one_error_not_a_crash()
    {
        var key = string.Join('.', Enumerable.Range(0, 100_000).Select(i => $"k{i}"));
        var error = SingleErrorWithin($"actors.processes.a.command = sh\n{key} = 1\n", Answer);
        Assert.Equal(2, error.Line);
        Assert.Contains($"nested deeper than {ConfigLimits.MaxDepth} levels", error.Message);
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_accepted()
    {
        // Three levels for actors.processes.a, the rest in lists: exactly the limit.
        var depth = ConfigLimits.MaxDepth - 3;
        var value = string.Concat(Enumerable.Repeat("[", depth)) + "1" + string.Concat(Enumerable.Repeat("]", depth));
        var result = ConfigLoader.LoadText($"actors.processes.a {{\n  command = sh\n  env {{ X = 1 }}\n  x-deep = {value}\n}}\n", "f.conf", "/");
        Assert.DoesNotContain(result.Errors, e => e.Message.Contains("nested deeper"));
    }

    // Akka's parser loops forever on anything in a list that is neither a value, a ',' nor the closing ']'.
    [Theory]
    [InlineData("args = [ ! ]")]
    [InlineData("args = [ \"a\" : 1 ]")]
    [InlineData("args = [ a : 1 ]")]
    [InlineData("args = [ $x ]")]
    [InlineData("args = [ \"a\", * ]")]
    [InlineData("args = [ \"a\" \\ ]")]
    public void Anything_in_a_list_that_is_not_a_value_is_an_error_with_its_line_not_a_spinning_parser(string args)
    {
        var error = SingleErrorWithin($"actors.processes.a {{\n  command = sh\n  {args}\n}}\n", Answer);
        Assert.Equal(3, error.Line);
        Assert.Contains("syntax error", error.Message);
    }

    // Akka's parser throws these without a position; the scan finds them first, with their line.
    [Theory]
    [InlineData("description = \"a\\qb\"", "escape")]
    [InlineData("description = \"a\\u12\"", "escape")]
    [InlineData("description = host:8080", "':'")]
    [InlineData("description = a=b", "'='")]
    public void Mistakes_the_parser_reports_without_a_position_get_their_line(string field, string message)
    {
        var error = SingleErrorWithin($"actors.processes.a {{\n  command = sh\n  {field}\n}}\n", Answer);
        Assert.Equal(3, error.Line);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_NUL_character_is_an_error_with_its_line_not_an_exception_from_a_path()
    {
        // It used to reach Path.GetFullPath, which throws on a NUL.
        var error = SingleErrorWithin("actors.processes.a {\n  command = sh\n  log.file = \"a\0b\"\n}\n", Answer);
        Assert.Equal(3, error.Line);
        Assert.Contains("NUL", error.Message);
    }

    [Theory]
    [InlineData("actors.node.state-dir = ${actors.node.state-dir}\n", 1)]
    // Two that refer to each other: the one that closes the loop, read in the file's order.
    [InlineData("actors.node {\n  state-dir = ${actors.node.log-dir}\n  log-dir = ${actors.node.state-dir}\n}\n", 3)]
    [InlineData("actors.processes.a {\n  command = sh\n  env = ${actors.processes.a}\n}\n", 3)]
    public void A_substitution_that_refers_to_itself_is_an_error_with_its_line_not_a_stack_overflow(string text, int line)
    {
        var error = SingleErrorWithin(text, Answer);
        Assert.Equal(line, error.Line);
        Assert.Contains("refers to itself", error.Message);
    }

    [Fact]
    public void A_chain_of_100000_substitutions_is_an_error_with_a_line_not_a_stack_overflow()
    {
        var text = new StringBuilder("actors.processes.a.command = ${x0}\n");
        for (var i = 0; i < 100_000; i++) text.Append($"x{i} = ${{x{i + 1}}}\n");
        text.Append("x100000 = sh\n");

        var error = SingleErrorWithin(text.ToString(), Answer);
        Assert.NotNull(error.Line);
        Assert.Contains("substitutions", error.Message);
    }

    [Fact]
    public void A_file_over_the_size_limit_is_one_error_naming_the_line_that_crosses_it_and_is_not_read_whole()
    {
        var line = "# " + new string('x', 1021) + "\n";
        var lines = ConfigLimits.MaxFileBytes / line.Length + 10_000;
        var path = Path.Combine(_temp.Dir, "huge.conf");
        using (var writer = new StreamWriter(path))
        {
            for (var i = 0; i < lines; i++) writer.Write(line);
        }

        var (result, cost, wall) = Cost.Of(() => ConfigLoader.LoadFile(path));

        Assert.True(cost < Answer, $"cost {cost} (wall {wall})");
        var error = Assert.Single(result.Errors);
        Assert.Equal((path, ConfigLimits.MaxFileBytes / line.Length + 1), (error.File, error.Line));
        Assert.Contains("larger than", error.Message);
    }
}
