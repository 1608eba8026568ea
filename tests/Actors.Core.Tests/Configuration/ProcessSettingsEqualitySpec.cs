using Actors.Configuration;
using Xunit;

namespace Actors.Core.Tests.Configuration;

public class ProcessSettingsEqualitySpec
{
    /// <summary>A new object graph each call, like a second load of the same file.</summary>
    private static ProcessSettings Web() => new(
        "web", "the web server", "/usr/bin/web", ["--port", "80"], false, "/srv",
        new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" },
        RestartPolicy.Always, new HashSet<int> { 3, 4 },
        new BackoffSettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 0.2, TimeSpan.FromSeconds(60)),
        new StartLimitSettings(5, TimeSpan.FromMinutes(1)),
        new StopSettings(15, "TERM", TimeSpan.FromSeconds(10)),
        new LogSettings("/var/log/web.log", 1 << 20, 3, true));

    private static bool Same(ProcessSettings a, ProcessSettings b) => ProcessSettingsEquality.Instance.Equals(a, b);

    [Fact]
    public void Two_loads_of_the_same_declaration_are_equal_though_records_say_otherwise()
    {
        Assert.NotEqual(Web(), Web());
        Assert.True(Same(Web(), Web()));
        Assert.Equal(ProcessSettingsEquality.Instance.GetHashCode(Web()), ProcessSettingsEquality.Instance.GetHashCode(Web()));
    }

    [Fact]
    public void A_new_replica_count_or_autostart_alone_is_no_change_so_a_scale_restarts_no_running_copy()
    {
        var copy = Web() with { Replica = new ReplicaSettings("web", 1, 3, 1, false, "/var/log") };
        Assert.True(Same(copy, Web() with { Replica = new ReplicaSettings("web", 1, 5, 1, false, "/var/log"), Autostart = false }));
        Assert.False(Same(copy, Web() with { Replica = new ReplicaSettings("web", 2, 3, 1, false, "/var/log") }));
    }

    [Fact]
    public void Env_and_exit_codes_compare_regardless_of_order()
    {
        var reordered = Web() with
        {
            Env = new Dictionary<string, string> { ["B"] = "2", ["A"] = "1" },
            SuccessExitCodes = new HashSet<int> { 4, 3 },
        };
        Assert.True(Same(Web(), reordered));
    }

    public static TheoryData<string, ProcessSettings> Changes() => new()
    {
        { "description", Web() with { Description = null } },
        { "command", Web() with { Command = "/usr/bin/web2" } },
        { "args", Web() with { Args = ["--port", "81"] } },
        { "args order", Web() with { Args = ["80", "--port"] } },
        { "shell", Web() with { Shell = true } },
        { "working-dir", Web() with { WorkingDir = "/" } },
        { "env value", Web() with { Env = new Dictionary<string, string> { ["A"] = "1", ["B"] = "3" } } },
        { "env key", Web() with { Env = new Dictionary<string, string> { ["A"] = "1" } } },
        { "restart", Web() with { Restart = RestartPolicy.Never } },
        { "success codes", Web() with { SuccessExitCodes = new HashSet<int> { 3 } } },
        { "backoff", Web() with { Backoff = Web().Backoff with { Max = TimeSpan.FromSeconds(30) } } },
        { "start limit", Web() with { StartLimit = new StartLimitSettings(6, TimeSpan.FromMinutes(1)) } },
        { "stop", Web() with { Stop = new StopSettings(2, "INT", TimeSpan.FromSeconds(10)) } },
        { "log", Web() with { Log = Web().Log with { Keep = 4 } } },
        { "env-file content", Web() with { EnvFiles = new EnvFileSettings(["/srv/.env"], new Dictionary<string, string> { ["A"] = "2" }) } },
        { "inherit-env", Web() with { InheritEnv = false } },
        { "user", Web() with { Exec = new ExecSettings(User: "nobody", Uid: 65534) } },
        { "limits", Web() with { Exec = new ExecSettings(Nofile: new ResourceLimit(1, 2)) } },
    };

    [Fact]
    public void Env_files_with_the_same_content_and_equal_exec_settings_are_unchanged()
    {
        var a = Web() with
        {
            EnvFiles = new EnvFileSettings(["/srv/.env"], new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" }),
            Exec = new ExecSettings(Umask: 23, Nofile: new ResourceLimit(1, 2)),
        };
        var b = Web() with
        {
            EnvFiles = new EnvFileSettings(["/srv/.env"], new Dictionary<string, string> { ["B"] = "2", ["A"] = "1" }),
            Exec = new ExecSettings(Umask: 23, Nofile: new ResourceLimit(1, 2)),
        };
        Assert.True(Same(a, b));
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public void Any_field_that_differs_makes_it_changed(string field, ProcessSettings changed)
    {
        Assert.False(Same(Web(), changed), field);
    }
}
