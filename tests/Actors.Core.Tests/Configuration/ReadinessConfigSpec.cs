using Actors.Configuration;
using Xunit;

namespace Actors.Core.Tests.Configuration;

/// <summary><c>readiness = probe | notify</c>.</summary>
public sealed class ReadinessConfigSpec : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private ConfigLoadResult Load(string process) =>
        ConfigLoader.LoadText($"actors.processes {{\n p {{ {process} }}\n}}", "f.conf", _temp.Dir);

    [Fact]
    public void Readiness_defaults_to_probe_and_notify_counts_as_a_readiness_check()
    {
        var plain = Load("command = sh").Settings!.Processes[0];
        Assert.Equal(ReadinessSource.Probe, plain.Readiness);
        Assert.False(plain.HasReadinessCheck);
        var notify = Load("command = sh, readiness = notify").Settings!.Processes[0];
        Assert.Equal(ReadinessSource.Notify, notify.Readiness);
        Assert.True(notify.HasReadinessCheck);
    }

    [Fact]
    public void Notify_with_a_readiness_probe_is_an_error_naming_the_key_and_line()
    {
        var result = Load("command = sh, readiness = notify, probes.readiness { type = tcp, port = 80 }");
        var error = Assert.Single(result.Errors).ToString();
        Assert.Contains("f.conf:2", error);
        Assert.Contains("actors.processes.p.readiness", error);
        Assert.Contains("notify cannot be combined with a readiness probe", error);
    }

    [Fact]
    public void An_unknown_readiness_source_is_an_error_that_lists_the_allowed_ones()
    {
        var error = Assert.Single(Load("command = sh, readiness = sometimes").Errors).ToString();
        Assert.Contains("actors.processes.p.readiness", error);
        Assert.Contains("use probe", error);
        Assert.Contains("or notify", error);
    }

    [Fact]
    public void A_change_of_readiness_is_a_change_for_reload()
    {
        var a = Load("command = sh").Settings!.Processes[0];
        var b = Load("command = sh, readiness = notify").Settings!.Processes[0];
        Assert.False(ProcessSettingsEquality.Instance.Equals(a, b));
    }
}
