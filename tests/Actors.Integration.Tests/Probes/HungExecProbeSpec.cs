using System.Globalization;
using Akka.TestKit.Xunit2;
using Actors.Configuration;
using Actors.Probes;
using Actors.Processes;
using Xunit;
using static Actors.Probes.HealthProbe;

namespace Actors.Integration.Tests.Probes;

/// <summary>
/// The real probe actor, scheduler and exec check against a command that ignores SIGTERM and hangs. "Ignores
/// cancellation" is not something an exec command can do: the check cancels with SIGKILL to its process group,
/// which no trap stops (and a wait on a dead NFS mount is killable on current kernels). So the check ends at
/// every timeout, nothing of it is left, and it is never reported stuck; the virtual-time specs cover a check that
/// really ignores its cancellation.
/// </summary>
public sealed class HungExecProbeSpec() : Akka.TestKit.Xunit2.TestKit("akka.loglevel = WARNING")
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-hung-probe-").FullName;

    private string PidsFile => Path.Combine(_dir, "pids");

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            Directory.Delete(_dir, recursive: true);
    }

    /// <summary>
    /// The lines the checks wrote, one per check that got to run its script: its shell's pid, its sleep's pid, and
    /// how many processes of the check before it were still alive (not even a zombie) when it started.
    /// </summary>
    private int[][] Checks() => File.Exists(PidsFile)
        ? File.ReadAllLines(PidsFile).Where(l => l.Length > 0)
            .Select(l => l.Split(' ').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray()).ToArray()
        : [];

    private static bool Alive(int pid) => ProcStat.ReadGroupAndLiveness(pid) is { Live: true };

    /// <summary>SIGKILL is delivered at once, but the kernel tears a process down asynchronously: a bounded poll.</summary>
    private static async Task AssertAllGone(int[] pids)
    {
        for (var deadline = DateTime.UtcNow + Patience; pids.Any(Alive) && DateTime.UtcNow < deadline;)
            await Task.Delay(20);
        Assert.DoesNotContain(pids, Alive);
    }

    [Fact]
    public async Task A_command_that_ignores_SIGTERM_and_hangs_is_killed_at_every_timeout_and_checks_never_overlap()
    {
        var script = "trap '' TERM; alive=0; " +
            $"for p in $(tail -n 1 {PidsFile} 2>/dev/null | cut -d' ' -f1,2); do " +
            "s=$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null); if [ -n \"$s\" ] && [ \"$s\" != Z ]; then alive=$((alive+1)); fi; done; " +
            $"sleep 1000 & echo \"$$ $! $alive\" >> {PidsFile}; wait";
        var settings = new ProbeSettings(ProbeRole.Liveness, new ExecProbeTarget("/bin/sh", ["-c", script]),
            TimeSpan.Zero, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2), 1, 100);
        var probe = ChildActorOf(HealthProbe.Props(settings, ProbeChecks.Create(settings, ProbeChecksSpec.Context(_dir))));
        try
        {
            // Each check is reported as its timeout alone: one still running 10s after its cancellation would be "stuck".
            for (var check = 1; check <= 3; check++)
                Assert.Equal(new ProbeChecked(ProbeRole.Liveness, false, "timed out after 2s"), await ExpectMsgAsync<ProbeChecked>(Patience));
        }
        finally
        {
            Sys.Stop(probe);
            await AssertAllGone(Checks().SelectMany(c => c.Take(2)).ToArray());
        }
        var checks = Checks();
        Assert.True(checks.Length >= 2, $"only {checks.Length} checks got to run their command");
        Assert.All(checks, c => Assert.Equal(0, c[2]));
    }
}
