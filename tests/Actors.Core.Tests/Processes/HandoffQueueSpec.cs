using Actors.Processes;
using Xunit;

namespace Actors.Core.Tests.Processes;

/// <summary>The queue between the actors and a dedicated thread (the spawner, the pid registry's writer).</summary>
public sealed class HandoffQueueSpec
{
    [Fact]
    public void A_consumer_thread_gets_every_item_in_order_and_ends_after_the_last_once_adding_is_complete()
    {
        var queue = new HandoffQueue<int>();
        var taken = new List<int>();
        var consumer = new Thread(() => { foreach (var item in queue.Consume()) taken.Add(item); });
        consumer.Start();
        // Producers on several threads, each in its own order; the consumer waits between bursts.
        var producers = Enumerable.Range(0, 4).Select(p => new Thread(() =>
        {
            for (int i = 0; i < 10_000; i++) queue.Add(p * 100_000 + i);
        })).ToList();
        producers.ForEach(t => t.Start());
        producers.ForEach(t => t.Join());
        queue.CompleteAdding();

        Assert.True(consumer.Join(TimeSpan.FromSeconds(30)), "the consumer did not end after CompleteAdding");
        Assert.Equal(40_000, taken.Count);
        for (int p = 0; p < 4; p++)
        {
            var mine = taken.Where(x => x / 100_000 == p).ToList();
            Assert.Equal(Enumerable.Range(0, 10_000).Select(i => p * 100_000 + i), mine);
        }
    }

    [Fact]
    public void After_CompleteAdding_nothing_more_is_queued_and_what_was_queued_is_still_taken()
    {
        var queue = new HandoffQueue<string>();
        Assert.True(queue.TryAdd("first"));
        queue.CompleteAdding();

        Assert.False(queue.TryAdd("late"));
        Assert.Throws<InvalidOperationException>(() => queue.Add("late"));
        Assert.Equal(["first"], queue.Consume());
    }
}
