using Akka.Actor;

namespace Actors.Supervision;

/// <summary>
/// The node's stop in progress, as bookkeeping: the waves not yet told to stop (dependents first, from
/// <see cref="DependencyGraph.StopWaves"/>), the processes told that have not stopped yet, and those killed at
/// <c>shutdown-timeout</c>. The root supervisor tells and kills (<c>NodeSupervisorActor.Shutdown.cs</c>).
/// </summary>
internal sealed class ShutdownWaves(IEnumerable<IReadOnlyList<string>> waves)
{
    private readonly Queue<IReadOnlyList<string>> _waves = new(waves);
    // The processes of the wave in progress (or killed at the timeout) that have not stopped yet.
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    // The supervisors stopped at the timeout: their end is expected, not a loss to report.
    private readonly HashSet<string> _killed = new(StringComparer.Ordinal);

    /// <summary>Who asked for the stop: all are answered at the end.</summary>
    public List<IActorRef> Waiters { get; } = new();

    public bool Done { get; private set; }

    /// <summary>Whether a told (or killed) process has not stopped yet.</summary>
    public bool AnyPending => _pending.Count > 0;

    /// <summary>
    /// Once every process of the wave in progress has stopped: the processes of the next wave to tell, now pending
    /// (a name <paramref name="declared"/> denies has no supervisor left and is passed over, and so is a wave with
    /// none). Empty while the wave in progress is still stopping, or when none is left.
    /// </summary>
    public List<string> TakeNextWave(Func<string, bool> declared)
    {
        var tell = new List<string>();
        while (_pending.Count == 0 && _waves.TryDequeue(out var wave))
        {
            foreach (var name in wave.Where(declared))
            {
                _pending.Add(name);
                tell.Add(name);
            }
        }
        return tell;
    }

    /// <summary>A process stopped; true when the shutdown was waiting for it.</summary>
    public bool Stopped(string name) => !Done && _pending.Remove(name);

    public bool IsStopping(string name) => _pending.Contains(name);

    /// <summary>shutdown-timeout reached: the processes never told to stop (their dependents were still stopping); none will be told now.</summary>
    public HashSet<string> TakeUntold()
    {
        var untold = _waves.SelectMany(w => w).ToHashSet(StringComparer.Ordinal);
        _waves.Clear();
        return untold;
    }

    /// <summary>A process killed at the timeout: waited for until its supervisor is gone.</summary>
    public void Killing(string name)
    {
        _pending.Add(name);
        _killed.Add(name);
    }

    /// <summary>A supervisor went during the shutdown: nothing to wait for. True when the shutdown killed it.</summary>
    public bool Forget(string name)
    {
        _pending.Remove(name);
        return _killed.Contains(name);
    }

    public void Finish() => Done = true;
}
