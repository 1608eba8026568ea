namespace Actors.Processes;

/// <summary>
/// Answers "a value read after this moment" for callers that need not wait on their own thread. Whatever is asked while
/// a read is under way is served by the next read, all of it at once, on a pool thread; a caller that finds nobody
/// reading or waiting reads on its own thread (a lone restart then has no thread between its exit and its next run).
/// </summary>
/// <param name="current">A value read after the given <see cref="System.Diagnostics.Stopwatch"/> timestamp (e.g.
/// <see cref="CoalescedReads{T}.Current"/>).</param>
internal sealed class BatchedReads<T>(Func<long, T> current) where T : class
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(long NotBefore, TaskCompletionSource<T> Done)> _asked = new();
    private int _serving; // 1 while a thread reads or serves what was asked

    public Task<T> ReadAfter(long notBefore)
    {
        if (_asked.IsEmpty && Interlocked.CompareExchange(ref _serving, 1, 0) == 0)
        {
            try { return Task.FromResult(current(notBefore)); }
            catch (Exception e) { return Task.FromException<T>(e); }
            finally { StopServing(); }
        }
        // Continuations run on the serving thread, in turn: each is short (a run's look at the table, a signal or two).
        var done = new TaskCompletionSource<T>();
        _asked.Enqueue((notBefore, done));
        if (Interlocked.CompareExchange(ref _serving, 1, 0) == 0) ThreadPool.UnsafeQueueUserWorkItem(_ => Serve(), null);
        return done.Task;
    }

    /// <summary>Lets the flag down; what was asked meanwhile is served on a pool thread, unless another caller took it up.</summary>
    /// <returns>True when this thread is to go on serving (it holds the flag again).</returns>
    private bool StopServing(bool onThisThread = false)
    {
        Volatile.Write(ref _serving, 0);
        if (_asked.IsEmpty || Interlocked.CompareExchange(ref _serving, 1, 0) != 0) return false;
        if (onThisThread) return true;
        ThreadPool.UnsafeQueueUserWorkItem(_ => Serve(), null);
        return false;
    }

    private void Serve()
    {
        var batch = new List<(long NotBefore, TaskCompletionSource<T> Done)>();
        while (true)
        {
            batch.Clear();
            while (_asked.TryDequeue(out var asked)) batch.Add(asked);
            if (batch.Count == 0)
            {
                if (StopServing(onThisThread: true)) continue;
                return;
            }
            try
            {
                var value = current(batch.Max(a => a.NotBefore));
                foreach (var a in batch) a.Done.TrySetResult(value);
            }
            catch (Exception e)
            {
                foreach (var a in batch) a.Done.TrySetException(e);
            }
        }
    }
}
