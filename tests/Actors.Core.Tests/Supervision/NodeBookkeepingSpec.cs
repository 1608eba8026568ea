using Actors.Configuration;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Supervision;

/// <summary>
/// The root supervisor's plain bookkeeping, without actors: what dependents are told (<see cref="DependencyBook"/>),
/// what a scale or a reload makes of replicas (<see cref="ReplicaPlanner"/>), and the node stop's waves
/// (<see cref="ShutdownWaves"/>). The same behaviours end to end are in DependencySpec, ReplicasSpec and NodeSupervisorSpec.
/// </summary>
public sealed class NodeBookkeepingSpec : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-bookkeeping-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private IReadOnlyList<ProcessSettings> Load(string processes)
    {
        var result = ConfigLoader.LoadText($"actors.processes {{\n{processes}\n}}", "f.conf", _dir);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Settings!.Processes;
    }

    private static ProcessStateChanged Report(string name, ProcessState state) => new(name, state, state.ToString(), null);

    [Fact]
    public void A_replicated_dependency_is_as_far_as_its_furthest_behind_copy_and_unknown_until_every_copy_reported()
    {
        var book = new DependencyBook();
        var declared = Load("web { command = sh, replicas = 2 }\napp { command = sh, depends-on { web = started } }");
        book.Declare(declared);

        Assert.Equal("web", book.Report(Report("web-1", ProcessState.Running)));
        Assert.Null(book.NewsFor("web")); // web-2 has not reported yet
        book.Report(Report("web-2", ProcessState.BackingOff));
        var state = book.NewsFor("web")!;
        Assert.Equal(ProcessState.BackingOff, state.State);
        Assert.StartsWith("replica web-2:", state.Reason);
        Assert.Null(book.NewsFor("app")); // nobody depends on app: nothing to route
        Assert.Equal([ProcessState.BackingOff], book.StatesFor(declared.Single(p => p.Name == "app")).Select(s => s.State));
    }

    [Fact]
    public void A_redeclaration_forgets_the_reports_of_processes_no_longer_declared()
    {
        var book = new DependencyBook();
        book.Declare(Load("db { command = sh }\napp { command = sh, depends-on { db = started } }"));
        book.Report(Report("db", ProcessState.Running));
        Assert.True(book.HasRun("db"));
        book.Declare(Load("app { command = sh }"));
        Assert.False(book.HasRun("db"));
        book.Declare(Load("db { command = sh }\napp { command = sh, depends-on { db = started } }"));
        Assert.Null(book.NewsFor("db"));
    }

    [Fact]
    public void A_scale_replaces_the_group_where_it_stands_and_refuses_a_replica_name_or_a_count_of_zero()
    {
        var planner = new ReplicaPlanner();
        var current = Load("a { command = sh }\nweb { command = sh, replicas = 2 }\nz { command = sh }");
        planner.RememberFile(current);

        var (wanted, answer) = planner.PlanScale(new NodeSupervisor.Scale("web", 3), current);
        Assert.Null(answer);
        Assert.Equal(["a", "web-1", "web-2", "web-3", "z"], wanted!.Select(p => p.Name));

        var refused = Assert.IsType<NodeSupervisor.ScaleRefused>(planner.PlanScale(new NodeSupervisor.Scale("web-1", 3), current).Answer);
        Assert.Contains("scale web instead", refused.Reason);
        Assert.IsType<NodeSupervisor.ScaleRefused>(planner.PlanScale(new NodeSupervisor.Scale("web", 0), current).Answer);
        var unknown = Assert.IsType<NodeSupervisor.UnknownProcesses>(planner.PlanScale(new NodeSupervisor.Scale("nope", 2), current).Answer);
        Assert.Equal(["a", "web", "web-1", "web-2", "z"], unknown.Known);
        Assert.IsType<NodeSupervisor.Scaled>(planner.PlanScale(new NodeSupervisor.Scale("web", 2), current).Answer);
    }

    [Fact]
    public void A_reload_keeps_a_scaled_count_unless_the_files_count_changed()
    {
        var planner = new ReplicaPlanner();
        var file = Load("web { command = sh, replicas = 2 }");
        planner.RememberFile(file);
        var scaled = planner.PlanScale(new NodeSupervisor.Scale("web", 4), file).Wanted!;

        Assert.Equal(4, planner.Rebase(Load("web { command = sh, replicas = 2, env { X = 1 } }"), scaled).Count);
        Assert.Equal(3, planner.Rebase(Load("web { command = sh, replicas = 3 }"), scaled).Count);
    }

    [Fact]
    public void Shutdown_waves_are_told_one_after_another_passing_over_processes_already_gone()
    {
        var waves = new ShutdownWaves([["app"], ["gone", "db"], ["cache"]]);
        var declared = new HashSet<string> { "app", "db", "cache" };

        Assert.Equal(["app"], waves.TakeNextWave(declared.Contains));
        Assert.Empty(waves.TakeNextWave(declared.Contains)); // app is still stopping
        Assert.True(waves.Stopped("app"));
        Assert.Equal(["db"], waves.TakeNextWave(declared.Contains));
        Assert.Equal(["cache"], waves.TakeUntold()); // the timeout: cache was never told
        waves.Killing("cache");
        Assert.True(waves.IsStopping("cache"));
        Assert.True(waves.Forget("cache"));  // its end was the shutdown's doing
        Assert.False(waves.Forget("db"));    // db's was not
        Assert.False(waves.AnyPending);
        waves.Finish();
        Assert.False(waves.Stopped("db"));
    }
}
