using Actors.Configuration;
using Xunit;

namespace Actors.Core.Tests.Configuration;

public sealed class LeaseConfigSpec : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_process_without_a_lease_name_has_no_lease()
    {
        var result = ConfigLoader.LoadText("actors.processes.web { command = sh }", "f.conf", _temp.Dir);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Null(result.Settings!.Processes[0].Lease);
    }

    [Fact]
    public void A_lease_takes_its_folder_relative_to_the_config_file_and_its_timing_from_the_defaults()
    {
        var result = ConfigLoader.LoadText("""
            actors {
              defaults.lease { folder = "leases", ttl = 3s }
              processes.web { command = sh, lease { name = "web.primary", heartbeat-interval = 500ms } }
            }
            """, "f.conf", _temp.Dir);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var lease = result.Settings!.Processes[0].Lease!;
        Assert.Equal(new ProcessLeaseSettings("web.primary", Path.Combine(_temp.Dir, "leases"), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(3)), lease);
    }

    [Fact]
    public void Lease_mistakes_are_reported_with_file_line_and_key()
    {
        var result = ConfigLoader.LoadText("""
            actors.processes {
              a {
                command = sh
                lease { name = "no/slashes", folder = "x", heartbeat-interval = 0s }
              }
              b {
                command = sh
                lease { name = "b", heartbeat-interval = 2s, ttl = 2s }
              }
              c {
                command = sh
                lease { name = b, folder = x, hearbeat-interval = 1s }
              }
            }
            """, "f.conf", _temp.Dir);

        var errors = result.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("f.conf:4: actors.processes.a.lease.name:") && e.Contains("not a valid lease name"));
        Assert.Contains(errors, e => e.StartsWith("f.conf:4: actors.processes.a.lease.heartbeat-interval:") && e.Contains("above 0"));
        Assert.Contains(errors, e => e.StartsWith("f.conf:8: actors.processes.b.lease.ttl:") && e.Contains("must be longer than lease.heartbeat-interval"));
        Assert.Contains(errors, e => e.StartsWith("f.conf:8: actors.processes.b.lease.folder:") && e.Contains("is required when lease.name is set"));
        Assert.Contains(errors, e => e.StartsWith("f.conf:12: actors.processes.c.lease.hearbeat-interval:") && e.Contains("did you mean heartbeat-interval"));
        Assert.Equal(5, errors.Count);
    }

    [Fact]
    public void A_ttl_under_two_heartbeats_is_warned_about()
    {
        var result = ConfigLoader.LoadText("actors.processes.web { command = sh, lease { name = web, folder = x, heartbeat-interval = 1s, ttl = 1500ms } }", "f.conf", _temp.Dir);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Contains(result.Warnings, w => w.Path == "actors.processes.web.lease.ttl" && w.Message.Contains("less than twice"));
    }
}
