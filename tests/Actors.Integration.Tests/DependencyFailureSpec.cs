using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// The real node and CLI: a dependent whose dependency failed for good is failed on it (not waiting forever), and
/// follows the dependency once the operator starts that again.
/// </summary>
public sealed class DependencyFailureSpec : IDisposable
{
    private readonly ControlledNode _node = new();

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task Tests_fail_on_a_failed_migrate_and_run_once_the_operator_starts_migrate_again()
    {
        // migrate fails (permanent code 2) until the file "fixed" exists; tests need it completed, report only ended.
        _node.WriteConfig("""
              migrate { kind = job, command = "/bin/sh", args = ["-c", "test -e fixed || exit 2"], permanent-exit-codes = [2] }
              tests { kind = job, command = "/bin/sh", args = ["-c", "echo tested"], depends-on { migrate = completed } }
              report { kind = job, command = "/bin/sh", args = ["-c", "echo reported"], depends-on { migrate = exited } }
            """);
        _node.Start();

        var tests = _node.AwaitStatus("tests", s => s.GetProperty("state").GetString() == "failed", "tests failed on migrate");
        Assert.StartsWith("dependency migrate failed (exited with code 2", tests.GetProperty("reason").GetString());
        Assert.Equal("completed", _node.AwaitStatus("report", s => s.GetProperty("state").GetString() == "completed", "report ran after migrate ended").GetProperty("state").GetString());
        var refused = await _node.CliAsync("start", "tests");
        Assert.Equal(1, refused.Code);
        Assert.Contains("dependency migrate failed", refused.Out + refused.Err);

        File.WriteAllText(Path.Combine(_node.Dir, "fixed"), "");
        var started = await _node.CliAsync("start", "migrate");
        Assert.True(started.Code == 0, started.ToString());

        _node.AwaitStatus("tests", s => s.GetProperty("state").GetString() == "completed", "tests followed migrate and completed");
        Assert.Equal("completed", _node.State("migrate"));
    }
}
