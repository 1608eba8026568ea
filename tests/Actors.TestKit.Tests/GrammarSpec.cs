using Xunit;

namespace Actors.TestKit.Tests;

/// <summary>The --behave grammar: what it reads, and one clear line for what it does not.</summary>
public class GrammarSpec
{
    [Theory]
    [InlineData("crash", "crash")]
    [InlineData("exit 1 after 40s", "exit 1 after 40s")]
    [InlineData("Exit 3 after 1m", "exit 3 after 1m")]
    [InlineData("exit 75,75,0 after 500ms", "exit 75,75,0 after 500ms")]
    [InlineData("killed by SIGKILL after 2h", "killed by KILL after 120m")]
    [InlineData("killed by 11 after 1s", "killed by SEGV after 1s")]
    [InlineData("hang after 30s", "hang after 30s")]
    [InlineData("ready after 20s", "ready after 20s")]
    [InlineData("stop heartbeating after 5m", "stop heartbeating after 5m")]
    [InlineData("ignore-term", "ignore-term")]
    [InlineData("ignore-term for 3s", "ignore-term for 3s")]
    [InlineData("fail 3 times then run", "fail 3 times")]
    [InlineData("run", "run")]
    [InlineData("exit 1 at random about every 2m", "exit 1 at random about every 2m")]
    [InlineData("fail 2 times, then ready after 5s, then hang after 1m", "fail 2 times, then ready after 5s, then hang after 1m")]
    [InlineData("ready after 5s ,  then  exit 1 after 40s, then ignore-term", "ready after 5s, then exit 1 after 40s, then ignore-term")]
    public void Every_documented_form_reads_back_as_written(string text, string canonical) =>
        Assert.Equal(canonical, Behaviour.Parse(text).ToString());

    [Theory]
    [InlineData("explode", "unknown behaviour 'explode'; write one of: crash, exit N after D")]
    [InlineData("exit 1 after 40", "duration '40' in 'exit 1 after 40' has no unit; write e.g. 40s")]
    [InlineData("hang after soon", "'soon' in 'hang after soon' is not a duration")]
    [InlineData("killed by BOGUS after 1s", "'BOGUS' in 'killed by bogus after 1s' is not a signal")]
    [InlineData("exit 300 after 1s", "'300' in 'exit 300 after 1s' is not an exit code")]
    [InlineData("fail none times", "'none' in 'fail none times' is not a count")]
    [InlineData("crash, then ready after 1s", "'ready after 1s' cannot come here: nothing can follow 'crash'")]
    [InlineData("", "an empty behaviour")]
    public void What_the_grammar_does_not_know_is_one_line_naming_it(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => Behaviour.Parse(text));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void Then_runs_the_steps_of_one_run_in_order_each_after_counted_from_the_step_before()
    {
        using var sim = Simulation.FromHocon("""
            actors.processes.p {
              command = "/srv/p"
              backoff.random-factor = 0
              probes.readiness { type = tcp, port = 80, period = 1s, failure-threshold = 1 }
            }
            """).Behave("p", "ready after 5s, then exit 1 after 10s");

        sim.RunFor(TimeSpan.FromSeconds(15.5));

        var p = sim.Process("p");
        Assert.Equal(TimeSpan.FromSeconds(5), p.TimeToReady);
        Assert.Equal(TimeSpan.FromSeconds(15), p.Trail.First(t => t.State == Actors.Supervision.ProcessState.BackingOff).At);
    }
}
