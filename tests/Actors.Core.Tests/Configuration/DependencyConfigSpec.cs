using Actors.Configuration;
using Xunit;

namespace Actors.Core.Tests.Configuration;

/// <summary>depends-on across processes: names that exist, no process waiting on itself, no cycles; the orders.</summary>
public sealed class DependencyConfigSpec : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private ConfigLoadResult Load(string processes) =>
        ConfigLoader.LoadText($"actors.processes {{\n{processes}\n}}", "f.conf", _temp.Dir);

    private static string Waves(IReadOnlyList<ProcessSettings> processes, params string[] targets) =>
        string.Join(" | ", DependencyGraph.StopWaves(processes, targets).Select(w => string.Join(" ", w)));

    private static List<string> Errors(ConfigLoadResult result) => result.Errors.Select(e => e.ToString()).ToList();

    [Fact]
    public void An_unknown_dependency_is_an_error_at_its_key_with_a_suggestion()
    {
        var result = Load("""
              db { command = sh }
              web { command = sh, depends-on { dbb = ready } }
              api { command = sh, depends-on { queue = started } }
            """);

        var errors = Errors(result);
        Assert.Contains("f.conf:3: actors.processes.web.depends-on.dbb: dbb is not a declared process; did you mean db?", errors);
        Assert.Contains("f.conf:4: actors.processes.api.depends-on.queue: queue is not a declared process; declared processes: db, web, api", errors);
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void A_process_depending_on_itself_is_an_error()
    {
        var errors = Errors(Load("""
              web { command = sh, depends-on { web = started } }
            """));

        var error = Assert.Single(errors);
        Assert.StartsWith("f.conf:2: actors.processes.web.depends-on.web: web depends on itself", error);
    }

    [Fact]
    public void A_two_process_cycle_is_named_once()
    {
        var errors = Errors(Load("""
              a { command = sh, depends-on { b = started } }
              b { command = sh, depends-on { a = ready } }
            """));

        var error = Assert.Single(errors);
        Assert.StartsWith("f.conf:2: actors.processes.a.depends-on.b: is part of the dependency cycle a → b → a", error);
    }

    [Fact]
    public void A_three_process_cycle_is_named_from_its_first_declared_member_and_other_cycles_separately()
    {
        var errors = Errors(Load("""
              web { command = sh, depends-on { api = ready } }
              api { command = sh, depends-on { db = ready } }
              db { command = sh, depends-on { web = started } }
              x { command = sh, depends-on { y = started } }
              y { command = sh, depends-on { x = started } }
              ok { command = sh, depends-on { db = started } }
            """));

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("f.conf:2: actors.processes.web.depends-on.api:") && e.Contains("web → api → db → web"));
        Assert.Contains(errors, e => e.StartsWith("f.conf:5: actors.processes.x.depends-on.y:") && e.Contains("x → y → x"));
    }

    [Fact]
    public void Waiting_for_a_service_that_always_restarts_to_complete_is_a_warning()
    {
        var result = Load("""
              db { command = sh }
              migrate { command = sh, kind = job }
              web { command = sh, depends-on { db = completed, migrate = completed } }
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var warning = Assert.Single(result.Warnings);
        Assert.StartsWith("f.conf:4: actors.processes.web.depends-on.db: db is a service with restart = always, so it never completes", warning.ToString());
    }

    [Fact]
    public void Exited_is_a_condition_and_waiting_for_a_service_that_always_restarts_to_exit_is_a_warning()
    {
        var result = Load("""
              db { command = sh }
              migrate { command = sh, kind = job }
              report { command = sh, depends-on { migrate = exited, db = exited } }
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var report = result.Settings!.Processes.Single(p => p.Name == "report");
        Assert.Equal([new Dependency("migrate", DependencyCondition.Exited), new Dependency("db", DependencyCondition.Exited)], report.DependsOn);
        var warning = Assert.Single(result.Warnings);
        Assert.StartsWith("f.conf:4: actors.processes.report.depends-on.db: db is a service with restart = always, so it never exits for good", warning.ToString());
    }

    [Fact]
    public void Exit_on_failure_is_read_from_availability_off_by_default_and_a_wrong_value_names_its_key()
    {
        var result = Load("""
              tests { command = sh, kind = job, availability { exit-on-failure = on } }
              db { command = sh }
            """);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.True(result.Settings!.Processes.Single(p => p.Name == "tests").ExitOnFailure);
        Assert.False(result.Settings!.Processes.Single(p => p.Name == "db").ExitOnFailure);

        var errors = Errors(Load("""
              tests { command = sh, availability { exit-on-failure = maybe, exit-on-failur = on } }
            """));
        Assert.Contains(errors, e => e.StartsWith("f.conf:2: actors.processes.tests.availability.exit-on-failure:") && e.Contains("maybe"));
        Assert.Contains(errors, e => e.StartsWith("f.conf:2: actors.processes.tests.availability.exit-on-failur:") && e.Contains("did you mean exit-on-failure"));
    }

    [Fact]
    public void A_valid_graph_starts_dependencies_first_and_keeps_declaration_order_otherwise()
    {
        var result = Load("""
              web { command = sh, depends-on { api = ready, cache = started } }
              worker { command = sh, depends-on { db = ready } }
              api { command = sh, depends-on { db = ready, migrate = completed } }
              db { command = sh }
              cache { command = sh }
              migrate { command = sh, kind = job, depends-on { db = started } }
              solo { command = sh }
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var processes = result.Settings!.Processes;
        Assert.Equal(["db", "worker", "cache", "migrate", "api", "web", "solo"], DependencyGraph.StartOrder(processes).Select(p => p.Name));
        Assert.Equal(["solo", "web", "api", "migrate", "cache", "worker", "db"], DependencyGraph.StopOrder(processes).Select(p => p.Name));
    }

    [Fact]
    public void Without_dependencies_the_stop_order_is_last_declared_first()
    {
        var result = Load("""
              a { command = sh }
              b { command = sh }
              c { command = sh }
            """);

        Assert.Equal(["c", "b", "a"], DependencyGraph.StopOrder(result.Settings!.Processes).Select(p => p.Name));
    }

    [Fact]
    public void Stop_waves_put_each_dependent_before_its_dependencies_even_through_processes_not_stopped()
    {
        var result = Load("""
              db { command = sh }
              api { command = sh, depends-on { db = ready } }
              web { command = sh, depends-on { api = ready } }
              cache { command = sh }
            """);
        var processes = result.Settings!.Processes;

        Assert.Equal("web cache | api | db", Waves(processes, "db", "api", "web", "cache"));
        // api is not stopped, but web still goes before db: it depends on db through api.
        Assert.Equal("web | db", Waves(processes, "db", "web"));
        Assert.Equal("db cache", Waves(processes, "cache", "db"));
    }
}
