using Akka.Actor;
using Actors.Configuration;
using Actors.Processes;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Integration.Tests;

/// <summary>
/// Base for tests with real processes: the real launcher, the real scheduler, a temp folder, and the
/// TestDummy program. Waits are on events or polled conditions with bounds, never fixed sleeps.
/// </summary>
public abstract class IntegrationSpec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    protected IntegrationSpec() : base("akka.loglevel = WARNING")
    {
        Dir = Directory.CreateTempSubdirectory("actors-it-").FullName;
        Launcher = new LinuxProcessLauncher();
    }

    protected string Dir { get; }
    protected LinuxProcessLauncher Launcher { get; }

    /// <summary>A process running the TestDummy in <paramref name="mode"/>, logging to DIR/NAME.log.</summary>
    protected ProcessSettings Dummy(string name, params string[] mode) =>
        Process(name, TestPaths.DotnetHost, [TestPaths.TestDummy, .. mode]);

    protected ProcessSettings Process(string name, string command, string[] args) => new(
        name, null, command, args, false, Dir, new Dictionary<string, string>(),
        RestartPolicy.Always, new HashSet<int>(),
        new BackoffSettings(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), 0, TimeSpan.FromSeconds(60)),
        new StartLimitSettings(100, TimeSpan.FromMinutes(10)),
        new StopSettings(15, "TERM", TimeSpan.FromSeconds(10)),
        new LogSettings(Path.Combine(Dir, $"{name}.log"), 50L << 20, 3, false));

    protected IActorRef Supervise(ProcessSettings settings) =>
        Sys.ActorOf(ProcessSupervisor.Props(settings, new SupervisorOptions(Launcher)), settings.Name);

    protected ProcessStatus StatusOf(IActorRef supervisor) =>
        supervisor.Ask<ProcessStatus>(new GetStatus(), TimeSpan.FromSeconds(5)).Result;

    protected ProcessStatus AwaitStatus(IActorRef supervisor, Func<ProcessStatus, bool> condition, string what)
    {
        ProcessStatus? status = null;
        if (!Poll.Until(() => condition(status = StatusOf(supervisor)), Patience))
            Assert.Fail($"{what}; last status: {status?.State} {status?.Reason}");
        return status!;
    }

    protected ProcessStatus AwaitState(IActorRef supervisor, ProcessState state) =>
        AwaitStatus(supervisor, s => s.State == state, $"state {state}");

    /// <summary>Lines of a log file, once <paramref name="condition"/> holds for them.</summary>
    protected string[] AwaitLog(string name, Func<string[], bool> condition, string what)
    {
        var path = Path.Combine(Dir, $"{name}.log");
        string[] lines = [];
        AwaitCondition(() => condition(lines = File.Exists(path) ? File.ReadAllLines(path) : []), Patience,
            TimeSpan.FromMilliseconds(20), $"{what}; {lines.Length} lines so far");
        return lines;
    }

    protected static bool IsGone(int pid) => ProcStat.ReadStartTime(pid) is null || ProcStat.IsZombie(pid);

    void IDisposable.Dispose()
    {
        Shutdown();
        Launcher.Dispose();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
