using Actors.Configuration;
using Actors.Probes;
using Actors.Processes;
using Xunit;

namespace Actors.Integration.Tests.Probes;

/// <summary>Runs alone: it counts this test process's descriptors and child zombies, which other tests change.</summary>
[CollectionDefinition(nameof(ExecProbeLeakSpec), DisableParallelization = true)]
public sealed class ExecProbeLeakCollection;

/// <summary>Exec checks run many times, passing, failing with output and cancelled, cost nothing that stays.</summary>
[Collection(nameof(ExecProbeLeakSpec))]
public sealed class ExecProbeLeakSpec : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    // A leak of one descriptor per check would be hundreds; what the runtime itself opens meanwhile is a few.
    private const int RuntimeSlack = 10;
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-exec-leak-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private IProbeCheck Check(string command, params string[] args) => ProbeChecks.Create(
        new ProbeSettings(ProbeRole.Liveness, new ExecProbeTarget(command, args), TimeSpan.Zero, TimeSpan.FromHours(1),
            TimeSpan.FromSeconds(1), 1, 1),
        ProbeChecksSpec.Context(_dir));

    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    private static HashSet<(int Pid, long StartTime)> ZombieChildren()
    {
        var self = Environment.ProcessId;
        return ProcTable.Read().Where(e => e.Ppid == self && e.Zombie).Select(e => (e.Pid, e.StartTime)).ToHashSet();
    }

    [Fact]
    public async Task Two_hundred_checks_leave_no_descriptor_and_no_zombie_behind()
    {
        var passing = Check("true");
        var failing = Check("/bin/sh", "-c", "echo out; echo err >&2; exit 1");
        var hanging = Check("sleep", "1000");
        using var patience = new CancellationTokenSource(Patience);
        // The first run makes what every later one shares (the one-shot commands' pump: a thread, an epoll set, an eventfd).
        Assert.Equal(ProbeOutcome.Pass("exit code 0"), await passing.RunAsync(patience.Token));
        var before = OpenDescriptors();
        // Zombie children already there (an earlier test in this test host left them; CI once saw one stay 30 s) are
        // not the checks': only new ones count.
        var earlier = ZombieChildren();

        for (var i = 0; i < 200; i++)
        {
            if (i % 10 == 9)
            {
                // Cancelled while it runs or, at times, before it started: both must clean up.
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(patience.Token);
                timeout.CancelAfter(TimeSpan.FromMilliseconds(20));
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hanging.RunAsync(timeout.Token));
                Assert.False(patience.IsCancellationRequested, "the checks took longer than their patience");
            }
            else if (i % 2 == 0)
            {
                Assert.Equal(ProbeOutcome.Pass("exit code 0"), await passing.RunAsync(patience.Token));
            }
            else
            {
                Assert.Equal(ProbeOutcome.Fail("exit code 1: err"), await failing.RunAsync(patience.Token));
            }
        }

        // Every check closes what it opened and reaps its command before it ends; the bound only absorbs the runtime.
        Assert.True(SpinWait.SpinUntil(() => OpenDescriptors() <= before + RuntimeSlack, Patience),
            $"{OpenDescriptors()} descriptors open after 200 checks, {before} before");
        Assert.True(SpinWait.SpinUntil(() => ZombieChildren().IsSubsetOf(earlier), Patience),
            $"zombie children left by the checks: {string.Join(", ", ZombieChildren().Except(earlier).Select(z => z.Pid))}");
    }
}
