using Akka.Configuration;
using Akka.Coordination;
using Akka.TestKit;
using Actors.Leases;
using Xunit;

namespace Actors.Core.Tests.Leases;

/// <summary>
/// ClassLease (the wrapper the node puts around any lease.class implementation) on virtual time, around a store whose
/// give-back the test lets through when it chooses.
/// </summary>
public class ClassLeaseSpec() : Akka.TestKit.Xunit2.TestKit(
    "akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"\nakka.loglevel = WARNING")
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1), Validity = TimeSpan.FromSeconds(5);
    private readonly FakeClock _clock = new();
    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    /// <summary>One holder at a time; a release takes effect only once <see cref="LetReleasesThrough"/> is called.</summary>
    private sealed class SlowReleaseStore(LeaseSettings settings) : Lease(settings)
    {
        private readonly TaskCompletionSource _releases = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly object _gate = new();
        private string? _holder;

        public string? Holder { get { lock (_gate) return _holder; } }
        public int ReleasesAsked { get { lock (_gate) return _asked; } }
        public int ReleasesDone { get { lock (_gate) return _done; } }
        private int _asked, _done;

        public void LetReleasesThrough() => _releases.TrySetResult();

        public override Task<bool> Acquire() => Acquire(null);

        public override Task<bool> Acquire(Action<Exception?>? leaseLostCallback)
        {
            lock (_gate)
            {
                if (_holder is not null && _holder != Settings.OwnerName) return Task.FromResult(false);
                _holder = Settings.OwnerName;
                return Task.FromResult(true);
            }
        }

        public override async Task<bool> Release()
        {
            lock (_gate) _asked++;
            await _releases.Task.ConfigureAwait(false);
            lock (_gate)
            {
                if (_holder == Settings.OwnerName) _holder = null;
                _done++;
            }
            return true;
        }

        public override bool CheckLease()
        {
            lock (_gate) return _holder == Settings.OwnerName;
        }
    }

    private static T Within<T>(Task<T> task) =>
        task.Wait(TimeSpan.FromSeconds(10)) ? task.Result : throw new TimeoutException("lease operation did not finish");

    [Fact]
    public void A_holding_taken_anew_is_not_given_back_by_the_late_give_back_of_the_holding_lost_before_it()
    {
        var store = new SlowReleaseStore(new LeaseSettings("web", "node-a", new TimeoutSettings(Interval, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3)), ConfigurationFactory.Empty));
        var lease = new ClassLease(store, Validity, Sys.Scheduler, _clock.Clock, Sys.Log);
        Assert.True(Within(lease.Acquire()));

        // Frozen past the validity: the next confirmation counts the holding lost and gives it back to the store, which
        // is slow to do it.
        _clock.Advance(Validity + Interval);
        Scheduler.Advance(Interval);
        Assert.False(lease.CheckLease());
        AwaitAssert(() => Assert.Equal(1, store.ReleasesAsked), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(5));

        // The node asks for a new holding while the give-back is still under way; then the give-back goes through.
        var retaken = lease.Acquire();
        store.LetReleasesThrough();

        Assert.True(Within(retaken));
        AwaitAssert(() => Assert.Equal(1, store.ReleasesDone), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(5));
        Assert.Equal("node-a", store.Holder);
        Assert.True(lease.CheckLease());
    }
}
