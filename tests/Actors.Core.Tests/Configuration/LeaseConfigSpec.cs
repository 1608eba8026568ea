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
        var result = ConfigLoader.LoadText("actors.processes.web { command = sh, lease { name = web, folder = x, heartbeat-interval = 1s, ttl = 1500ms, dead-man = off } }", "f.conf", _temp.Dir);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Contains(result.Warnings, w => w.Path == "actors.processes.web.lease.ttl" && w.Message.Contains("less than twice"));
    }

    [Fact]
    public void A_ttl_that_leaves_the_dead_man_switch_no_more_than_one_heartbeat_is_an_error_naming_the_way_out()
    {
        var result = ConfigLoader.LoadText("actors.processes.web { command = sh, lease { name = web, folder = x, heartbeat-interval = 1s, ttl = 2s } }", "f.conf", _temp.Dir);
        var error = Assert.Single(result.Errors).ToString();
        Assert.StartsWith("f.conf:1: actors.processes.web.lease.ttl:", error);
        Assert.Contains("leaves the dead-man switch 750ms after a heartbeat before it stops the process", error);
        Assert.Contains("set lease.dead-man = off", error);
    }

    [Fact]
    public void The_dead_man_switch_is_on_by_default_and_its_times_come_from_the_ttl_the_interval_and_the_stop_timeout()
    {
        var result = ConfigLoader.LoadText("actors.processes { web { command = sh, lease { name = web, folder = x } }, db { command = sh, stop.timeout = 1s, lease { name = db, folder = x, dead-man = off } } }", "f.conf", _temp.Dir);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var web = result.Settings!.Processes.Single(p => p.Name == "web");
        Assert.True(web.Lease!.DeadMan);
        // ttl 10s, interval 1s: margin 2.5s, SIGKILL at 7.5s, grace min(stop.timeout 10s, 7.5s / 4).
        Assert.Equal(new DeadManTimings(TimeSpan.FromMilliseconds(5625), TimeSpan.FromMilliseconds(1875), TimeSpan.FromMilliseconds(7500)),
            web.Lease.DeadManTimings(web.Stop.Timeout));
        var db = result.Settings.Processes.Single(p => p.Name == "db");
        Assert.False(db.Lease!.DeadMan);
        Assert.Equal(TimeSpan.FromSeconds(1), db.Lease.DeadManTimings(db.Stop.Timeout).Grace);
    }
}
