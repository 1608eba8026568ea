using Actors.Native;
using Akka.Actor;
using Akka.Configuration;
using Akka.Coordination;
using Akka.TestKit;
using Actors.Leases;
using Xunit;

namespace Actors.Core.Tests.Leases;

/// <summary>A wall clock and a monotonic clock that move only when the test says so.</summary>
public sealed class FakeClock
{
    private readonly object _gate = new();
    private DateTimeOffset _now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private TimeSpan _elapsed = TimeSpan.FromHours(1);

    public LeaseClock Clock => new(() => { lock (_gate) return _now; }, () => { lock (_gate) return _elapsed; });

    public void Advance(TimeSpan by) { lock (_gate) { _now += by; _elapsed += by; } }

    /// <summary>Only the wall clock moves (as it does for others while this node is frozen).</summary>
    public void AdvanceWall(TimeSpan by) { lock (_gate) _now += by; }
}

/// <summary>
/// FileLease on real files in a temp folder, with its timing on virtual time: heartbeats fire when the test
/// advances the <see cref="TestScheduler"/>, and both clocks are a <see cref="FakeClock"/>.
/// </summary>
public class FileLeaseSpec() : Akka.TestKit.Xunit2.TestKit(
    "akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"\nakka.loglevel = WARNING"), IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1), Ttl = TimeSpan.FromSeconds(5);
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-lease-").FullName;
    private readonly FakeClock _clock = new();
    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;
    private string HoldingPath(long token) => Path.Combine(_dir, $"web.lease.{token}");

    private FileLease Lease(string owner, string? folder = null) =>
        new(new LeaseSettings("web", owner, new TimeoutSettings(Interval, Ttl, TimeSpan.FromSeconds(3)), ConfigurationFactory.Empty),
            folder ?? _dir, Sys.Scheduler, _clock.Clock, Sys.Log);

    private static bool Acquire(Lease lease, Action<Exception?>? lost = null) => Within(lease.Acquire(lost));

    /// <summary>The task's result, waited for with a bound (lease operations run on the thread pool).</summary>
    private static T Within<T>(Task<T> task, TimeSpan? bound = null) =>
        task.Wait(bound ?? TimeSpan.FromSeconds(10)) ? task.Result : throw new TimeoutException("lease operation did not finish");

    /// <summary>Moves both clocks and the scheduler by one heartbeat interval.</summary>
    private void Beat()
    {
        _clock.Advance(Interval);
        Scheduler.Advance(Interval);
    }

    [Fact]
    public void Exactly_one_of_two_owners_acquires()
    {
        var a = Lease("node-a");
        var b = Lease("node-b");
        Assert.True(Acquire(a));
        Assert.False(Acquire(b));
        Assert.True(a.CheckLease());
        Assert.False(b.CheckLease());
        Assert.Equal(1, a.Token);
        var seen = b.Inspect();
        Assert.Equal(("node-a", 1L, false), (seen.Holder, seen.Token, seen.Held));
    }

    [Fact]
    public void With_a_validity_shorter_than_the_ttl_a_silent_holder_loses_it_then_and_gets_it_back_only_after_the_ttl_with_a_new_token()
    {
        var renewed = new List<long>();
        var a = new FileLease(new LeaseSettings("web", "node-a", new TimeoutSettings(Interval, Ttl, TimeSpan.FromSeconds(3)), ConfigurationFactory.Empty),
            _dir, Sys.Scheduler, _clock.Clock, Sys.Log)
        {
            Validity = TimeSpan.FromSeconds(3),
            Renewed = stamp => { lock (renewed) renewed.Add(stamp); },
        };
        var lost = new TaskCompletionSource<Exception?>();
        Assert.True(Acquire(a, e => lost.TrySetResult(e)));
        Assert.Single(renewed); // the acquisition landed
        var before = a.LastHeartbeat;
        Beat();
        AwaitCondition(() => a.LastHeartbeat > before, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(5));
        lock (renewed) Assert.Equal(2, renewed.Count); // and so did the heartbeat
        Assert.True(a.CheckLease());

        // Silent (frozen) past the validity, inside the ttl: no longer good for this holder, nobody else's yet.
        _clock.Advance(TimeSpan.FromMilliseconds(3001));
        Assert.False(a.CheckLease());
        Assert.False(Acquire(a)); // not re-entered with the old token
        Assert.Contains("may hold it without one", Within(lost.Task)!.Message);
        Assert.False(Acquire(Lease("node-b")));

        // After the ttl it is free again: taken anew, with the next token.
        _clock.Advance(Ttl);
        Assert.True(Acquire(a));
        Assert.Equal(2, a.Token);
        lock (renewed) Assert.Equal(3, renewed.Count);
    }

    [Fact]
    public void Acquiring_again_while_holding_keeps_the_token()
    {
        var a = Lease("node-a");
        Assert.True(Acquire(a));
        Assert.True(Acquire(a));
        Assert.Equal(1, a.Token);
    }

    [Fact]
    public void A_holder_that_keeps_heartbeating_keeps_the_lease_past_its_ttl()
    {
        var a = Lease("node-a");
        var b = Lease("node-b");
        Assert.True(Acquire(a));
        for (var i = 0; i < 10; i++)
        {
            var before = a.LastHeartbeat;
            Beat();
            AwaitCondition(() => a.LastHeartbeat > before, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(5));
        }
        Assert.False(Acquire(b));
        Assert.True(a.CheckLease());
    }

    [Fact]
    public void Another_owner_takes_over_after_the_ttl_with_a_higher_token_and_the_old_holder_learns_it_lost()
    {
        var a = Lease("node-a");
        var b = Lease("node-b");
        var lost = new TaskCompletionSource<Exception?>();
        Assert.True(Acquire(a, e => lost.TrySetResult(e)));

        // a is frozen: no heartbeat while the clocks move past the TTL.
        _clock.Advance(Ttl);
        Assert.False(Acquire(b)); // exactly at the TTL it is not yet expired
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(Acquire(b));
        Assert.Equal(2, b.Token);
        // a's own monotonic clock already says it has lost it, before any heartbeat runs.
        Assert.False(a.CheckLease());

        Scheduler.Advance(Interval);
        Assert.Contains("no heartbeat written", Within(lost.Task)!.Message);
        // It never wrote over b's holding.
        Assert.Equal(("node-b", 2L), (b.Inspect().Holder, b.Inspect().Token));
    }

    [Fact]
    public void A_holder_that_finds_another_holder_in_the_file_reports_the_loss()
    {
        var a = Lease("node-a");
        var lost = new TaskCompletionSource<Exception?>();
        Assert.True(Acquire(a, e => lost.TrySetResult(e)));
        File.WriteAllText(HoldingPath(7), new LeaseRecord("intruder", 7, _clock.Clock.UtcNow, Ttl).Format());

        Beat();
        Assert.Contains("taken over by intruder (token 7)", Within(lost.Task)!.Message);
        Assert.False(a.CheckLease());
    }

    [Fact]
    public void A_heartbeat_that_cannot_be_written_loses_the_lease()
    {
        var folder = Path.Combine(_dir, "shared");
        var a = Lease("node-a", folder);
        var lost = new TaskCompletionSource<Exception?>();
        Assert.True(Acquire(a, e => lost.TrySetResult(e)));
        // The folder turns into a file: nothing can be written there any more (root ignores permissions).
        Directory.Delete(folder, recursive: true);
        File.WriteAllText(folder, "not a folder");

        Beat();
        Assert.Contains("heartbeat write failed", Within(lost.Task)!.Message);
    }

    [Fact]
    public void Release_lets_the_next_owner_in_at_once_with_a_higher_token()
    {
        var a = Lease("node-a");
        var b = Lease("node-b");
        Assert.True(Acquire(a));
        Assert.True(Within(a.Release()));
        Assert.False(a.CheckLease());
        Assert.Null(b.Inspect().Holder);
        Assert.True(Acquire(b));
        Assert.Equal(2, b.Token);
        // a comes back: a new holding, so a new token.
        Assert.True(Within(b.Release()));
        Assert.True(Acquire(a));
        Assert.Equal(3, a.Token);
    }

    [Theory]
    [InlineData("")]
    [InlineData("holder=node-x\ntoken=4\nheart")]
    [InlineData("\0\0\0\0garbage")]
    public void A_corrupt_or_truncated_lease_file_counts_as_free(string content)
    {
        File.WriteAllText(HoldingPath(3), content);
        var a = Lease("node-a");
        Assert.True(Acquire(a));
        Assert.Equal(4, a.Token);
        Assert.Equal("node-a", LeaseRecord.Parse(File.ReadAllText(HoldingPath(4)))!.Holder);
    }

    [Fact]
    public void A_lock_held_by_a_frozen_process_never_blocks_a_takeover_after_the_ttl()
    {
        var a = Lease("node-a");
        Assert.True(Acquire(a));
        // A node frozen (SIGSTOP) in the middle of a write keeps whatever locks it holds; the version that changed
        // the lease under an flock of web.lock never let anyone in again. Hold every lock such a node could.
        File.WriteAllText(Path.Combine(_dir, "web.lock"), "");
        var held = Directory.GetFiles(_dir).Select(path =>
        {
            var fd = LibC.open(path, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
            Assert.Equal(0, LibC.flock(fd, LibC.LOCK_EX | LibC.LOCK_NB));
            return fd;
        }).ToList();
        try
        {
            _clock.AdvanceWall(Ttl + TimeSpan.FromMilliseconds(1));
            var b = Lease("node-b");
            Assert.True(Acquire(b));
            Assert.Equal(2, b.Token);
        }
        finally
        {
            held.ForEach(fd => LibC.close(fd));
        }
    }

    [Fact]
    public void The_version_before_per_token_files_hands_its_token_on()
    {
        File.WriteAllText(Path.Combine(_dir, "web.lease"), new LeaseRecord("", 41, _clock.Clock.UtcNow, Ttl).Format());
        var a = Lease("node-a");
        Assert.True(Acquire(a));
        Assert.Equal(42, a.Token);
        Assert.False(File.Exists(Path.Combine(_dir, "web.lease")));
    }

    [Fact]
    public void A_stale_racer_cannot_win_a_token_that_a_newer_holding_swept()
    {
        var file = new LeaseFile(_dir, "web");
        for (var token = 1; token <= 4; token++)
            Assert.True(file.TryCreate(new LeaseRecord("", token, _clock.Clock.UtcNow, Ttl)));
        // The takeover of token 4 swept everything below the holding it replaced.
        Assert.Equal([false, false, true, true], Enumerable.Range(1, 4).Select(t => File.Exists(HoldingPath(t))));

        // A node that listed the folder back when token 1 was the lease now tries for token 2.
        Assert.False(file.TryCreate(new LeaseRecord("node-late", 2, _clock.Clock.UtcNow, Ttl)));
        Assert.False(File.Exists(HoldingPath(2)));
        Assert.Equal(4, file.HighestToken());
        // And one that races for a token that exists loses without touching it.
        Assert.False(file.TryCreate(new LeaseRecord("node-late", 4, _clock.Clock.UtcNow, Ttl)));
        Assert.Equal("", LeaseRecord.Parse(File.ReadAllText(HoldingPath(4)))!.Holder);
    }

    [Fact]
    public void Of_many_owners_acquiring_at_once_exactly_one_wins()
    {
        for (var round = 0; round < 3; round++)
        {
            var folder = Path.Combine(_dir, $"round-{round}");
            var leases = Enumerable.Range(0, 100).Select(i => Lease($"owner-{i}", folder)).ToList();
            // Each Acquire runs on its own pool thread; they race for the file lock.
            var tries = leases.Select(l => l.Acquire()).ToArray();
            Assert.Equal(1, Within(Task.WhenAll(tries), TimeSpan.FromSeconds(60)).Count(won => won));
        }
    }

    [Fact]
    public void Akka_lease_provider_loads_it_from_a_config_block()
    {
        var config = ConfigurationFactory.ParseString($"actors.lease.file.folder = \"{_dir}\"\nakka.loglevel = WARNING")
            .WithFallback(FileLease.DefaultConfig());
        using var system = ActorSystem.Create("provider", config);
        var lease = LeaseProvider.Get(system).GetLease("web", FileLease.ConfigPath, "node-a");
        var file = Assert.IsType<FileLease>(lease);
        Assert.Equal(TimeSpan.FromSeconds(10), lease.Settings.TimeoutSettings.HeartbeatTimeout);
        Assert.True(Within(file.Acquire()) && file.CheckLease());
        Assert.True(Within(file.Release()));
        Within(system.Terminate().ContinueWith(_ => true));
    }

    void IDisposable.Dispose()
    {
        Shutdown();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
