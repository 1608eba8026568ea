using Actors.Configuration;
using Actors.Processes;
using Xunit;

namespace Actors.Core.Tests.Configuration;

/// <summary><c>replicas</c> and <c>autostart</c> as check-config reads them: the copies, their names and logs, the errors.</summary>
public sealed class ReplicasConfigSpec : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private ConfigLoadResult Load(string processes) =>
        ConfigLoader.LoadText($"actors {{\n node.log-dir = \"logs\"\n processes {{\n{processes}\n}}\n}}", "f.conf", _temp.Dir);

    private static List<string> Errors(ConfigLoadResult result) => result.Errors.Select(e => e.ToString()).ToList();

    private ActorsSettings Valid(string processes)
    {
        var result = Load(processes);
        Assert.True(result.IsValid, string.Join("\n", Errors(result)));
        return result.Settings!;
    }

    [Fact]
    public void Ten_replicas_are_ten_processes_named_with_two_digits_each_logging_to_its_own_file()
    {
        var settings = Valid("web { command = sh, replicas = 10 }\napi { command = sh }");

        Assert.Equal(
            ["web-01", "web-02", "web-03", "web-04", "web-05", "web-06", "web-07", "web-08", "web-09", "web-10", "api"],
            settings.Processes.Select(p => p.Name));
        var web7 = settings.Processes[6];
        Assert.Equal(Path.Combine(_temp.Dir, "logs", "web-07.log"), web7.Log.File);
        Assert.Equal(("web", 7, 10), (web7.Group, web7.Replica!.Index, web7.Replica.Count));
        Assert.Equal("sh", web7.Command);
    }

    [Fact]
    public void Without_replicas_a_process_keeps_its_plain_name_and_log_as_copy_1_of_1()
    {
        var settings = Valid("web { command = sh }\napi { command = sh, replicas = 1 }");

        Assert.Equal(["web", "api"], settings.Processes.Select(p => p.Name));
        Assert.Equal(Path.Combine(_temp.Dir, "logs", "web.log"), settings.Processes[0].Log.File);
        Assert.Equal(("web", 1, 1), (settings.Processes[0].Group, settings.Processes[0].Replica!.Index, settings.Processes[0].Replica!.Count));
    }

    [Fact]
    public void Each_copy_gets_ACTORS_REPLICA_and_ACTORS_REPLICAS_in_its_environment()
    {
        var settings = Valid("worker { command = sh, replicas = 3 }");

        var env = LaunchSpecs.From(settings.Processes[1]).Environment;

        Assert.Contains("ACTORS_REPLICA=2", env);
        Assert.Contains("ACTORS_REPLICAS=3", env);
        Assert.Contains("ACTORS_PROCESS=worker-2", env);
    }

    [Fact]
    public void A_count_below_1_above_1000_or_not_a_number_is_an_error_at_the_key_saying_what_to_write()
    {
        var errors = Errors(Load("""
            a { command = sh, replicas = 0 }
            b { command = sh, replicas = 1001 }
            c { command = sh, replicas = many }
            """));

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("f.conf:4: actors.processes.a.replicas: 0 is out of range; use 1 or more") && e.Contains("autostart = off"));
        Assert.Contains(errors, e => e.StartsWith("f.conf:5: actors.processes.b.replicas: 1001 is out of range; use at most 1000"));
        Assert.Contains(errors, e => e.StartsWith("f.conf:6: actors.processes.c.replicas:") && e.Contains("many"));
    }

    [Fact]
    public void A_declared_name_equal_to_a_generated_replica_name_is_an_error_naming_both()
    {
        var errors = Errors(Load("""
            web { command = sh, replicas = 3 }
            web-2 { command = sh }
            """));

        var error = Assert.Single(errors);
        Assert.StartsWith("f.conf:4: actors.processes.web.replicas: replica web-2 of web has the name of the declared process web-2", error);
    }

    [Fact]
    public void Replicas_cannot_share_an_explicit_log_file_but_may_share_dev_null()
    {
        var errors = Errors(Load("""
            web { command = sh, replicas = 2, log.file = "web.log" }
            quiet { command = sh, replicas = 2, log.file = "/dev/null" }
            one { command = sh, replicas = 1, log.file = "one.log" }
            """));

        var error = Assert.Single(errors);
        Assert.StartsWith($"f.conf:4: actors.processes.web.log.file: {Path.Combine(_temp.Dir, "web.log")} cannot be shared by the 2 replicas of web; remove log.file", error);
    }

    [Fact]
    public void Depending_on_a_process_with_replicas_orders_every_copy_before_the_dependent()
    {
        var settings = Valid("""
            api { command = sh, depends-on { web = ready } }
            web { command = sh, replicas = 2 }
            """);

        Assert.Equal(["web-1", "web-2", "api"], DependencyGraph.StartOrder(settings.Processes).Select(p => p.Name));
        var waves = DependencyGraph.StopWaves(settings.Processes, ["api", "web-1", "web-2"]);
        Assert.Equal([["api"], ["web-1", "web-2"]], waves.Select(w => w.ToArray()).ToArray());
    }

    [Fact]
    public void Depending_on_a_replica_name_rather_than_the_declared_name_is_an_error()
    {
        var errors = Errors(Load("""
            api { command = sh, depends-on { web-1 = ready } }
            web { command = sh, replicas = 2 }
            """));

        Assert.Contains(errors, e => e.StartsWith("f.conf:4: actors.processes.api.depends-on.web-1: web-1 is not a declared process"));
    }

    [Fact]
    public void Autostart_is_on_by_default_off_when_set_and_must_be_a_boolean()
    {
        var settings = Valid("a { command = sh }\nb { command = sh, autostart = off }");
        Assert.True(settings.Processes[0].Autostart);
        Assert.False(settings.Processes[1].Autostart);

        var error = Assert.Single(Errors(Load("c { command = sh, autostart = later }")));
        Assert.StartsWith("f.conf:4: actors.processes.c.autostart:", error);
    }

    [Fact]
    public void Rescaling_never_renames_a_running_copy()
    {
        var plain = Valid("web { command = sh }").Processes;
        Assert.Equal(["web", "web-2", "web-3"], Replicas.Rescale(plain[0], plain, 3).Select(p => p.Name));

        var nine = Valid("web { command = sh, replicas = 9 }").Processes;
        var twelve = Replicas.Rescale(nine[0], nine, 12);
        Assert.Equal(["web-1", "web-9", "web-10", "web-12"], new[] { twelve[0], twelve[8], twelve[9], twelve[11] }.Select(p => p.Name));
        Assert.Equal(Path.Combine(_temp.Dir, "logs", "web-12.log"), twelve[11].Log.File);
        Assert.Equal(["web-1", "web-2"], Replicas.Rescale(nine[0], nine, 2).Select(p => p.Name));
    }

    [Fact]
    public void A_job_or_a_process_with_its_own_log_file_cannot_be_scaled_and_says_why()
    {
        var settings = Valid("""
            backup { command = sh, kind = job }
            web { command = sh, log.file = "w.log" }
            ok { command = sh }
            """).Processes;

        Assert.Contains("backup is a job (kind = job): its copies run to completion once", Replicas.WhyNotScalable(settings[0]));
        Assert.Contains("web sets its own log.file", Replicas.WhyNotScalable(settings[1]));
        Assert.Null(Replicas.WhyNotScalable(settings[2]));
    }
}
