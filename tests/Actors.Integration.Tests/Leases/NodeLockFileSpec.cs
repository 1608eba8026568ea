using Actors.Native;
using Actors.Configuration;
using Actors.Leases;
using Actors.Node.Leases;
using Xunit;

namespace Actors.Integration.Tests.Leases;

/// <summary>The node lock on real files: one holder at a time, however the contenders race.</summary>
public sealed class NodeLockFileSpec : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-lock-").FullName;
    private string LockPath => Path.Combine(_dir, "node.lock");
    private static readonly NodeLockSettings Settings = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private NodeLock? TryAcquire()
    {
        try
        {
            return NodeLock.Acquire(LockPath, Settings, replace: false, TimeSpan.FromSeconds(1), _ => { });
        }
        catch (NodeLockBusyException)
        {
            return null;
        }
    }

    [Fact]
    public void Two_contenders_racing_a_hundred_times_get_exactly_one_holder_each_time()
    {
        for (var round = 0; round < 100; round++)
        {
            using var start = new Barrier(2);
            var results = new NodeLock?[2];
            var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                results[i] = TryAcquire();
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.True(results.Count(r => r is not null) == 1, $"round {round}: {results.Count(r => r is not null)} holders");
            foreach (var held in results) held?.Dispose();
        }
    }

    [Fact]
    public async Task A_contender_never_gets_the_lock_while_the_holder_rewrites_its_record()
    {
        using var holder = TryAcquire()!;
        using var stop = new CancellationTokenSource();
        var refresher = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) holder.Refresh();
        });
        // Two contenders, many tries: the window between the holder's rename and its release of the old file
        // is short, and a contender that locked the old file must notice it lost its name.
        var contenders = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var stolen = 0;
            for (var i = 0; i < 500; i++)
            {
                var lockTaken = TryAcquire();
                if (lockTaken is not null) stolen++;
                lockTaken?.Dispose();
            }
            return stolen;
        })).ToArray();
        var stolenCounts = await Task.WhenAll(contenders);
        Assert.Equal(new[] { 0, 0 }, stolenCounts);
        stop.Cancel();
        await refresher;
        Assert.True(holder.StillHeld);
    }

    [Fact]
    public void A_contender_that_locks_the_file_the_holder_just_replaced_sees_it_has_no_name()
    {
        using var holder = TryAcquire()!;
        // The contender opened the lock file, then the holder's heartbeat replaced it and released the old one.
        var fd = LibC.open(LockPath, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        try
        {
            holder.Refresh();
            Assert.Equal(0, LibC.flock(fd, LibC.LOCK_EX | LibC.LOCK_NB));
            Assert.False(SmallFiles.IsLinked(fd)); // so Acquire tries again, and finds the holder
        }
        finally
        {
            LibC.close(fd);
        }
        Assert.Null(TryAcquire());
    }

    [Fact]
    public void The_refusal_names_the_holder_and_a_released_lock_is_free_again()
    {
        var first = TryAcquire()!;
        var busy = Assert.Throws<NodeLockBusyException>(() => NodeLock.Acquire(LockPath, Settings, false, TimeSpan.FromSeconds(1), _ => { }));
        Assert.Matches($@"^another node holds {LockPath}: pid {Environment.ProcessId} on .+, up \d+s, heartbeat \d+s ago$", busy.Message);
        first.Dispose();
        Assert.False(File.Exists(LockPath));
        using var second = TryAcquire();
        Assert.NotNull(second);
        Assert.Null(second!.Takeover);
    }

    [Fact]
    public void A_truncated_record_left_without_a_holder_is_taken_over_and_said_so()
    {
        File.WriteAllText(LockPath, "{\"pid\": 12");
        using var held = TryAcquire();
        Assert.NotNull(held);
        Assert.Contains("unreadable", held!.Takeover);
        Assert.Equal(Environment.ProcessId, NodeLockHolder.Parse(SmallFiles.ReadFile(LockPath))!.Pid);
    }

    [Fact]
    public void A_record_of_a_dead_holder_is_taken_over_with_its_pid_in_the_reason()
    {
        var dead = new NodeLockHolder(999_999, 1, Environment.MachineName, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(-1));
        File.WriteAllText(LockPath, dead.ToJson());
        using var held = TryAcquire();
        Assert.Contains("previous holder pid 999999", held!.Takeover);
    }

    [Fact]
    public void A_holder_that_stopped_its_heartbeat_is_reported_as_hung()
    {
        using var held = TryAcquire()!;
        // No refresh since it was taken, and a stale-after shorter than the time the next call takes.
        var message = Assert.Throws<NodeLockBusyException>(() => NodeLock.Acquire(LockPath, Settings with { StaleAfter = TimeSpan.FromTicks(1) }, false, TimeSpan.FromSeconds(1), _ => { })).Message;
        Assert.Contains("looks hung", message);
        Assert.Contains("--replace", message);
    }

    [Fact]
    public void Holder_records_from_a_cut_write_parse_as_nothing()
    {
        var record = new NodeLockHolder(42, 7, "h", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow).ToJson();
        for (var length = 0; length < record.Trim().Length; length++)
            Assert.Null(NodeLockHolder.Parse(record[..length]));
        Assert.Equal(42, NodeLockHolder.Parse(record)!.Pid);
    }
}
