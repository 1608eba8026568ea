using System.Diagnostics;
using Actors.Configuration;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Core.Tests.Configuration;

/// <summary>
/// Mutated real files through the loader <c>check-config</c> and <c>reload</c> use. 500 cases here (about 15 s of CPU);
/// <c>ACTORS_FUZZ_CASES=10000</c> (bench/config-fuzz.sh) runs more, <c>ACTORS_FUZZ_FIRST</c> moves the window.
/// Each case must cost (<see cref="Cost"/>) under 2 s; a stack overflow ends the run (and fails it).
/// </summary>
public sealed class ConfigFuzzSpec(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private static int FromEnvironment(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : fallback;

    [Fact]
    public async Task Every_mutated_file_is_answered_at_a_cost_under_2s_with_settings_or_errors_that_name_the_file_and_a_line()
    {
        var mutator = new ConfigMutator(ConfigMutator.RepositoryRoot());
        var first = FromEnvironment("ACTORS_FUZZ_FIRST", 0);
        var cases = FromEnvironment("ACTORS_FUZZ_CASES", 500);
        var path = Path.Combine(_temp.Dir, "fuzz.conf");
        var failures = new List<string>();
        var (valid, invalid, slowest, slowestCase, slowestWall) = (0, 0, TimeSpan.Zero, -1, TimeSpan.Zero);
        var total = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var n = first; n < first + cases; n++)
        {
            var (bytes, how) = mutator.Case(n);
            File.WriteAllBytes(path, bytes);
            // On a thread of its own: a hang fails this case instead of the whole run (the thread is left behind).
            var load = Task.Factory.StartNew(() => Cost.Of(() => ConfigLoader.LoadFile(path)), TaskCreationOptions.LongRunning);
            (ConfigLoadResult Result, TimeSpan Cost, TimeSpan Wall) measured;
            try
            {
                measured = await load.WaitAsync(Hang);
            }
            catch (TimeoutException)
            {
                failures.Add($"case {n} ({how}): no answer after {Hang}");
                break;
            }
            catch (Exception e)
            {
                failures.Add($"case {n} ({how}): threw {e}");
                continue;
            }
            var (result, elapsed, wall) = measured;
            if (elapsed > slowest) (slowest, slowestCase) = (elapsed, n);
            if (wall > slowestWall) slowestWall = wall;
            if (elapsed > Bound)
                failures.Add($"case {n} ({how}): took {elapsed.TotalSeconds:0.00}s (wall {wall.TotalSeconds:0.00}s)");
            if (result.IsValid) valid++; else invalid++;
            if (result.IsValid != (result.Settings is not null))
                failures.Add($"case {n} ({how}): valid is {result.IsValid} but settings are {(result.Settings is null ? "missing" : "there")}");
            foreach (var error in result.Errors.Where(e => e.File != path || e.Line is null))
                failures.Add($"case {n} ({how}): an error without its file and line: {error}");
        }
        output.WriteLine($"{cases} cases from {first} ({mutator.SeedCount} seed files) in {total.Elapsed.TotalSeconds:0.0}s " +
                         $"({(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.0}s CPU of the test process): " +
                         $"{valid} valid, {invalid} with errors; most costly {slowest.TotalMilliseconds:0}ms (case {slowestCase}), longest wall {slowestWall.TotalMilliseconds:0}ms; {failures.Count} failures");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)));
    }
}
