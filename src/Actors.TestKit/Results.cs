using Actors.Supervision;

namespace Actors.TestKit;

/// <summary>One transition of one process: when (virtual time since the simulation began), into which state, and why.</summary>
public sealed record TrailEntry(TimeSpan At, string Process, ProcessState State, string Reason)
{
    /// <summary>The timeline line: <c>  00:01:04.000  web  backing-off  exited with code 1; ...</c>.</summary>
    public override string ToString() => $"{Timeline.Stamp(At)}  {Process}  {State.ToDisplay()}  {Reason}";
}

/// <summary>What one process did over a simulation, up to the moment it was asked for.</summary>
public sealed class ProcessReport
{
    internal ProcessReport(string name, int starts, int restarts, IReadOnlyList<TrailEntry> trail, TimeSpan now, string? startLimitMarker)
    {
        Name = name;
        Starts = starts;
        Restarts = restarts;
        Trail = trail;
        Ended = now;
        var last = trail.Count > 0 ? trail[^1] : null;
        State = last?.State ?? ProcessState.Stopped;
        Reason = last?.Reason ?? "never reported";
        var failed = trail.LastOrDefault(t => t.State == ProcessState.Failed);
        if (failed is not null && State == ProcessState.Failed) FailedAt = failed.At;
        if (failed is not null && startLimitMarker is not null && failed.Reason.Contains(startLimitMarker, StringComparison.Ordinal))
            GaveUpAt = failed.At;
        TimeToReady = trail.FirstOrDefault(t => t.State is ProcessState.Ready
            || (t.State == ProcessState.Running && !HasReadiness(trail)))?.At;
    }

    // A process with a readiness probe is "ready" only in Ready; without one, Running counts (DESIGN, semantics 3).
    private static bool HasReadiness(IReadOnlyList<TrailEntry> trail) => trail.Any(t => t.State == ProcessState.Ready);

    /// <summary>The process name.</summary>
    public string Name { get; }

    /// <summary>Launches of its command (each start the start limit counts, failed launches included).</summary>
    public int Starts { get; }

    /// <summary>The restart count the supervisor reports (what <c>actors status</c> shows).</summary>
    public int Restarts { get; }

    /// <summary>Where it stands now, and why.</summary>
    public ProcessState State { get; }

    /// <summary>Why it is in <see cref="State"/> (the last transition's reason).</summary>
    public string Reason { get; }

    /// <summary>Every transition, oldest first.</summary>
    public IReadOnlyList<TrailEntry> Trail { get; }

    /// <summary>When it first became ready (running, without a readiness probe); null if it never did.</summary>
    public TimeSpan? TimeToReady { get; }

    /// <summary>When it entered its current failed state; null unless failed now.</summary>
    public TimeSpan? FailedAt { get; }

    /// <summary>When the start limit gave up on it (the last time, if several); null if it never did.</summary>
    public TimeSpan? GaveUpAt { get; }

    /// <summary>The virtual time this report was taken at.</summary>
    public TimeSpan Ended { get; }

    /// <summary>Total time spent in <paramref name="state"/>, up to <see cref="Ended"/>.</summary>
    public TimeSpan TimeIn(ProcessState state)
    {
        var total = TimeSpan.Zero;
        for (int i = 0; i < Trail.Count; i++)
        {
            if (Trail[i].State != state) continue;
            var until = i + 1 < Trail.Count ? Trail[i + 1].At : Ended;
            total += until - Trail[i].At;
        }
        return total;
    }

    /// <summary>Transitions into <paramref name="state"/>.</summary>
    public int Count(ProcessState state) => Trail.Count(t => t.State == state);

    /// <summary>Its timeline, one transition a line.</summary>
    public override string ToString() => Timeline.Format(Trail);
}

/// <summary>A simulation's check failed; the message carries the trail as a readable timeline.</summary>
public sealed class SimulationAssertionException(string message) : Exception(message);
