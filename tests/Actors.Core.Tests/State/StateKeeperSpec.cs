using Akka.Actor;
using Actors.Core.Tests.Simulation;
using Actors.State;
using Actors.Supervision;
using Xunit;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.State;

/// <summary>When the keeper writes: sticky stops at once, restart counts coalesced (virtual time).</summary>
public sealed class StateKeeperSpec : SupervisionSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-keeper-").FullName;
    private string File => Path.Combine(_dir, "state.json");

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Directory.Delete(_dir, recursive: true);
    }

    private IActorRef Keeper(IReadOnlyDictionary<string, SavedIntent>? initial = null) =>
        Sys.ActorOf(StateKeeper.Props(File, initial ?? new Dictionary<string, SavedIntent>()));

    private IReadOnlyDictionary<string, SavedIntent> Saved() => NodeStateFile.Load(File, out _);

    private static IntentChanged Restarts(string name, int n) => new(name, SavedIntent.Default with { Restarts = n });

    /// <summary>
    /// Returns once the keeper has handled everything it was sent before: <see cref="Identify"/> is answered in
    /// mailbox order, so a timer the keeper started is armed before the test advances the clock.
    /// </summary>
    private static void Settle(IActorRef keeper) => keeper.Ask<ActorIdentity>(new Identify(null), Patience).GetAwaiter().GetResult();

    [Fact]
    public void Restart_counts_are_written_together_at_most_once_per_second()
    {
        var keeper = Keeper();
        keeper.Tell(Restarts("web", 1));
        keeper.Tell(Restarts("web", 2));
        keeper.Tell(Restarts("db", 1));
        Settle(keeper);
        Assert.False(System.IO.File.Exists(File));
        Clock.Advance(TimeSpan.FromMilliseconds(999));
        Settle(keeper);
        Assert.False(System.IO.File.Exists(File));
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        AwaitAssert(() =>
        {
            var saved = Saved();
            Assert.Equal(2, saved.GetValueOrDefault("web")?.Restarts);
            Assert.Equal(1, saved.GetValueOrDefault("db")?.Restarts);
        }, Patience);
    }

    [Fact]
    public void A_sticky_stop_is_written_at_once_with_what_was_pending()
    {
        var keeper = Keeper();
        keeper.Tell(Restarts("db", 4));
        keeper.Tell(new IntentChanged("web", new SavedIntent(true, "stopped by request", Clock.Now, 0)));
        AwaitAssert(() =>
        {
            var saved = Saved();
            Assert.True(saved["web"].KeptStopped);
            Assert.Equal(4, saved["db"].Restarts);
        }, Patience);
    }

    [Fact]
    public void Sticky_stops_that_arrive_during_a_write_are_written_together_by_the_next()
    {
        var writes = 0;
        using var firstWriteMayEnd = new ManualResetEventSlim();
        var keeper = Sys.ActorOf(StateKeeper.Props(File, new Dictionary<string, SavedIntent>(), (path, intents) =>
        {
            if (Interlocked.Increment(ref writes) == 1) firstWriteMayEnd.Wait(Patience);
            NodeStateFile.Save(path, intents);
        }));
        keeper.Tell(Stopped("p0"));
        AwaitCondition(() => Volatile.Read(ref writes) == 1, Patience);
        // What `stop --all` sends: a change per process, arriving while the first one is being written.
        for (var i = 1; i < 100; i++) keeper.Tell(Stopped($"p{i}"));
        firstWriteMayEnd.Set();
        AwaitAssert(() => Assert.Equal(100, Saved().Values.Count(intent => intent.KeptStopped)), Patience);
        Settle(keeper);
        Assert.Equal(2, Volatile.Read(ref writes));
    }

    private IntentChanged Stopped(string name) => new(name, new SavedIntent(true, "stopped by request", Clock.Now, 0));

    [Fact]
    public void What_is_pending_is_written_when_the_keeper_stops()
    {
        var keeper = Keeper();
        keeper.Tell(Restarts("web", 9));
        Settle(keeper);
        Watch(keeper);
        Sys.Stop(keeper);
        ExpectTerminated(keeper);
        Assert.Equal(9, Saved()["web"].Restarts);
    }

    [Fact]
    public void A_forgotten_process_is_dropped_from_the_file()
    {
        var keeper = Keeper(new Dictionary<string, SavedIntent> { ["web"] = new(true, "x", null, 1), ["db"] = new(true, "y", null, 0) });
        keeper.Tell(new StateKeeper.Forget("web"));
        AwaitAssert(() => Assert.Equal(["db"], Saved().Keys), Patience);
    }

    [Fact]
    public void A_write_failure_is_survived_and_the_next_change_writes_again()
    {
        Directory.CreateDirectory(File + ".tmp"); // the temporary file cannot be created
        var keeper = Keeper();
        keeper.Tell(new IntentChanged("web", new SavedIntent(true, "stopped by request", null, 0)));
        Settle(keeper);
        Assert.False(System.IO.File.Exists(File));
        Directory.Delete(File + ".tmp");
        keeper.Tell(new IntentChanged("db", new SavedIntent(true, "stopped by request", null, 0)));
        AwaitAssert(() => Assert.Equal(2, Saved().Count), Patience);
    }
}
