namespace Actors.Processes;

/// <summary>
/// Work handed to one dedicated thread (the spawner, the pid registry's writer), which sleeps while there is none.
/// Not a <c>BlockingCollection</c>: its take spins (yielding the CPU in a loop) before it sleeps, every time the
/// queue runs dry, which in a crash loop is after every item: the pid registry writer's yields alone were 7% of the
/// node's samples there, on the two vCPUs the restart needed (bench/README.md, stop 37). Here the thread sleeps at once.
/// </summary>
internal sealed class HandoffQueue<T>
{
    private readonly Queue<T> _items = new();
    private bool _completed;

    /// <summary>Queues <paramref name="item"/>; false once <see cref="CompleteAdding"/> was called (nothing is queued then).</summary>
    public bool TryAdd(T item)
    {
        lock (_items)
        {
            if (_completed) return false;
            _items.Enqueue(item);
            // The consumer sleeps only on an empty queue: only the first item needs to wake it.
            if (_items.Count == 1) Monitor.Pulse(_items);
            return true;
        }
    }

    /// <summary>Queues <paramref name="item"/>; throws <see cref="InvalidOperationException"/> once adding was completed.</summary>
    public void Add(T item)
    {
        if (!TryAdd(item)) throw new InvalidOperationException("the queue takes no more items");
    }

    /// <summary>No more items: the consumer ends once it took what is queued.</summary>
    public void CompleteAdding()
    {
        lock (_items)
        {
            _completed = true;
            Monitor.PulseAll(_items);
        }
    }

    /// <summary>The items in order, waiting for each; ends after <see cref="CompleteAdding"/> and the last item. One consumer only.</summary>
    public IEnumerable<T> Consume()
    {
        while (true)
        {
            T item;
            lock (_items)
            {
                while (_items.Count == 0)
                {
                    if (_completed) yield break;
                    Monitor.Wait(_items);
                }
                item = _items.Dequeue();
            }
            yield return item;
        }
    }
}
