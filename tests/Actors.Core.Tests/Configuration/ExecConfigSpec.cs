using Actors.Configuration;
using Actors.Processes;
using Xunit;

namespace Actors.Core.Tests.Configuration;

/// <summary>user, group, umask, limits, nice, oom-score-adjust as check-config reads them (the tests run as root).</summary>
public sealed class ExecConfigSpec : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private ConfigLoadResult Load(string body) =>
        ConfigLoader.LoadFile(_temp.Write($"actors.processes.web {{\n  command = sh\n  {body}\n}}\n"));

    private ProcessSettings Valid(string body)
    {
        var result = Load(body);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Settings!.Processes[0];
    }

    [Fact]
    public void A_user_name_resolves_to_its_ids_groups_and_home_and_the_spec_goes_through_the_shim()
    {
        var web = Valid("user = nobody, umask = \"027\", limits { nofile = \"100:200\", core = 0, memlock = infinity }, nice = 5, oom-score-adjust = 500");

        Assert.Equal(("nobody", 65534u, 65534u), (web.Exec.User, web.Exec.Uid, web.Exec.Gid));
        Assert.Equal("user nobody (uid 65534), group nogroup (gid 65534), umask 027, nofile 100:200, core 0:0, memlock infinity:infinity, nice 5, oom-score-adjust 500",
            web.Exec.Describe());
        var spec = LaunchSpecs.From(web);
        Assert.Equal(["-o", "500", "-l", "nofile:100:200", "-l", "core:0:0", "-l", "memlock:infinity:infinity", "-n", "5", "-m", "27", "-G", "65534", "-g", "65534", "-u", "65534"],
            spec.ShimOptions);
        Assert.Contains("USER=nobody", spec.Environment);
        Assert.Contains("LOGNAME=nobody", spec.Environment);
        Assert.Contains(spec.Environment, e => e.StartsWith("HOME=", StringComparison.Ordinal) && e != $"HOME={Environment.GetEnvironmentVariable("HOME")}");
    }

    [Fact]
    public void A_process_without_these_keys_is_spawned_directly()
    {
        var web = Valid("env { A = 1 }");

        Assert.True(web.Exec.IsNone);
        Assert.Null(LaunchSpecs.From(web).ShimOptions);
    }

    [Fact]
    public void A_group_replaces_the_primary_group_and_ids_are_accepted_for_names()
    {
        var web = Valid("user = \"65534\", group = root");

        Assert.Equal(("nobody", 65534u, "root", 0u), (web.Exec.User, web.Exec.Uid, web.Exec.Group, web.Exec.Gid));
    }

    [Theory]
    [InlineData("user = no-such-user-here", "user", "there is no user \"no-such-user-here\" on this machine")]
    [InlineData("group = no-such-group-here", "group", "there is no group \"no-such-group-here\" on this machine")]
    [InlineData("umask = \"0898\"", "umask", "\"0898\" is not an octal umask")]
    [InlineData("umask = \"07777\"", "umask", "is not an octal umask")]
    [InlineData("nice = 20", "nice", "20 is out of range; use -20 (highest priority) .. 19 (lowest)")]
    [InlineData("nice = -21", "nice", "-21 is out of range")]
    [InlineData("nice = high", "nice", "\"high\" is not a whole number")]
    [InlineData("oom-score-adjust = 1001", "oom-score-adjust", "1001 is out of range; use -1000 .. 1000")]
    [InlineData("limits { nofile = \"200:100\" }", "limits.nofile", "the soft limit 200 is above the hard limit 100")]
    [InlineData("limits { nofile = 99999999999 }", "limits.nofile", "above this machine's most open files per process (/proc/sys/fs/nr_open")]
    [InlineData("limits { nproc = lots }", "limits.nproc", "\"lots\" is not a limit; use a count, \"SOFT:HARD\" or infinity")]
    [InlineData("limits { core = \"1:2:3\" }", "limits.core", "is not a limit; use a size")]
    [InlineData("limits { stack = 1 }", "limits.stack", "unknown key")]
    public void Impossible_values_are_errors_at_their_key_saying_what_is_allowed(string body, string key, string message)
    {
        var error = Assert.Single(Load(body).Errors);

        Assert.Equal($"actors.processes.web.{key}", error.Path);
        Assert.Contains(message, error.Message);
        Assert.Equal(3, error.Line);
    }
}
