namespace Actors.Supervision;

/// <summary>Where a supervised process stands.</summary>
public enum ProcessState
{
    /// <summary>Being launched; not yet confirmed running.</summary>
    Starting,
    /// <summary>Its main process is alive (and, with a readiness probe, not ready now).</summary>
    Running,
    /// <summary>Alive and its readiness probe passes. Only a process with a readiness probe is ever ready.</summary>
    Ready,
    /// <summary>Exited; waiting for the backoff delay before the next start.</summary>
    BackingOff,
    /// <summary>Stop signal sent; waiting for the whole group to end.</summary>
    Stopping,
    /// <summary>Not running, and not meant to be until started again.</summary>
    Stopped,
    /// <summary>Exited with a success code and its restart policy does not run it again (a finished one-shot).</summary>
    Completed,
    /// <summary>Given up (start limit, or a failure with restart = never); the reason says why.</summary>
    Failed,
    /// <summary>Meant to run, but waits: for its lease (held by another node) or its dependencies; the reason says which.</summary>
    Waiting,
}

public static class ProcessStateNames
{
    /// <summary>The lower-case, hyphenated name used in logs, status output and JSON.</summary>
    public static string ToDisplay(this ProcessState state) => state switch
    {
        ProcessState.BackingOff => "backing-off",
        _ => state.ToString().ToLowerInvariant(),
    };
}

/// <summary>One entry of the restart-reason trail: when, which state, and why.</summary>
public sealed record Transition(DateTimeOffset At, ProcessState State, string Reason);

/// <summary>The last few transitions, oldest first.</summary>
public sealed class TransitionTrail(int capacity = 20)
{
    private readonly Queue<Transition> _items = new();

    public void Add(Transition transition)
    {
        _items.Enqueue(transition);
        while (_items.Count > capacity) _items.Dequeue();
    }

    public IReadOnlyList<Transition> ToList() => _items.ToArray();
}
