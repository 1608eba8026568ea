using Actors.Configuration;

namespace Actors.TestKit;

/// <summary>
/// What a simulated process does, run after run. Built from the factory methods and joined with
/// <see cref="Then"/> (steps of one run, each "after" counted from the step before), or parsed from the grammar
/// <c>actors simulate --behave</c> takes (<see cref="Parse"/>). The default runs until it is stopped and is ready
/// (passes every probe) at once. A behaviour is immutable and may be shared by several processes.
/// </summary>
public sealed class Behaviour
{
    private Behaviour(IReadOnlyList<Step> steps, int failFirst, TimeSpan? ignoreTermFor, bool ignoresTerm)
    {
        Steps = steps;
        FailFirst = failFirst;
        IgnoreTermFor = ignoreTermFor;
        IgnoresTerm = ignoresTerm;
    }

    internal IReadOnlyList<Step> Steps { get; }
    internal int FailFirst { get; }
    internal bool IgnoresTerm { get; }
    /// <summary>With <see cref="IgnoresTerm"/>: exits (code 0) this long after the stop signal; null: only SIGKILL ends it.</summary>
    internal TimeSpan? IgnoreTermFor { get; }

    /// <summary>Runs until stopped; ready at once.</summary>
    public static Behaviour RunsForever() => new([], 0, null, false);

    /// <summary>Exits with code 1 as soon as it starts.</summary>
    public static Behaviour Crashes() => ExitsAfter(TimeSpan.Zero, 1);

    /// <summary>Exits with <paramref name="code"/> <paramref name="after"/> it started.</summary>
    public static Behaviour ExitsAfter(TimeSpan after, int code = 1) => One(new Step(StepKind.Exit, Check(after), [code]));

    /// <summary>
    /// Exits <paramref name="after"/> it started with the codes of <paramref name="codes"/>, one per run in order (run 1
    /// the first); once they are used up, every later run exits with the last one.
    /// </summary>
    public static Behaviour ExitsWith(IReadOnlyList<int> codes, TimeSpan after)
    {
        if (codes.Count == 0) throw new ArgumentException("give at least one exit code", nameof(codes));
        return One(new Step(StepKind.Exit, Check(after), codes.ToArray()));
    }

    /// <summary>
    /// Exits at random: each run lasts an exponentially distributed time with mean <paramref name="meanUptime"/> and
    /// exits with one of <paramref name="codes"/> (each as likely; 1 when none given). Drawn from the simulation's seed.
    /// </summary>
    public static Behaviour ExitsRandomly(TimeSpan meanUptime, params int[] codes) =>
        One(new Step(StepKind.RandomExit, Check(meanUptime), codes.Length == 0 ? [1] : codes));

    /// <summary>Killed by <paramref name="signal"/> (e.g. 9, 11) <paramref name="after"/> it started.</summary>
    public static Behaviour KilledAfter(TimeSpan after, int signal) =>
        signal is < 1 or > Signals.Max ? throw new ArgumentOutOfRangeException(nameof(signal), signal, "a signal is 1..64")
            : One(new Step(StepKind.Killed, Check(after), [signal]));

    /// <summary>Hangs <paramref name="after"/> it started: it stops answering every probe (they time out), but still dies of signals.</summary>
    public static Behaviour HangsAfter(TimeSpan after) => One(new Step(StepKind.Hang, Check(after), []));

    /// <summary>Becomes ready <paramref name="after"/> it started: startup and readiness probes fail until then, and a ready-log-line is "printed" then.</summary>
    public static Behaviour ReadyAfter(TimeSpan after) => One(new Step(StepKind.Ready, Check(after), []));

    /// <summary>Stops writing its heartbeat file <paramref name="after"/> it started: heartbeat-file probes fail from then on.</summary>
    public static Behaviour StopsHeartbeatingAfter(TimeSpan after) => One(new Step(StepKind.StopHeartbeat, Check(after), []));

    /// <summary>Its first <paramref name="starts"/> starts crash at once (exit 1); later ones do what this behaviour says.</summary>
    public Behaviour FailingFirst(int starts) =>
        starts < 0 ? throw new ArgumentOutOfRangeException(nameof(starts), starts, "cannot be negative")
            : new Behaviour(Steps, starts, IgnoreTermFor, IgnoresTerm);

    /// <summary>
    /// Ignores the stop signal (TERM, or whatever <c>stop.signal</c> says): with <paramref name="forHowLong"/> it exits
    /// with code 0 that long after the signal (a slow clean-up), without it only SIGKILL ends it.
    /// </summary>
    public Behaviour IgnoringTerm(TimeSpan? forHowLong = null) =>
        new(Steps, FailFirst, forHowLong is { } d ? Check(d) : null, true);

    /// <summary>The steps of <paramref name="next"/> after this one's, in the same run; its modifiers add to this one's.</summary>
    public Behaviour Then(Behaviour next)
    {
        if (Steps.LastOrDefault() is { IsEnd: true } end && next.Steps.Count > 0)
            throw new ArgumentException($"nothing can follow '{end}': the run has ended there", nameof(next));
        return new Behaviour([.. Steps, .. next.Steps], FailFirst + next.FailFirst,
            next.IgnoresTerm ? next.IgnoreTermFor : IgnoreTermFor, IgnoresTerm || next.IgnoresTerm);
    }

    /// <summary>Reads the <c>--behave</c> grammar (see README, "Test your policy").</summary>
    /// <exception cref="FormatException">One line naming what it did not understand.</exception>
    public static Behaviour Parse(string text) => BehaviourGrammar.Parse(text);

    /// <summary>The behaviour in the grammar <see cref="Parse"/> reads.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (FailFirst > 0) parts.Add($"fail {FailFirst} times");
        parts.AddRange(Steps.Select(s => s.ToString()));
        if (IgnoresTerm) parts.Add(IgnoreTermFor is { } d ? $"ignore-term for {HoconScalars.Format(d)}" : "ignore-term");
        return parts.Count == 0 ? "run" : string.Join(", then ", parts);
    }

    private static Behaviour One(Step step) => new([step], 0, null, false);

    private static TimeSpan Check(TimeSpan duration) =>
        duration < TimeSpan.Zero ? throw new ArgumentOutOfRangeException(nameof(duration), duration, "cannot be negative") : duration;

    internal enum StepKind { Exit, RandomExit, Killed, Hang, Ready, StopHeartbeat }

    /// <summary>One step of a run, <paramref name="After"/> the step before (or the start).</summary>
    internal sealed record Step(StepKind Kind, TimeSpan After, int[] Values)
    {
        public bool IsEnd => Kind is StepKind.Exit or StepKind.RandomExit or StepKind.Killed;

        public override string ToString()
        {
            var after = HoconScalars.Format(After);
            return Kind switch
            {
                StepKind.Exit when Values is [1] && After == TimeSpan.Zero => "crash",
                StepKind.Exit => $"exit {string.Join(",", Values)} after {after}",
                StepKind.RandomExit => $"exit {string.Join(",", Values)} at random about every {after}",
                StepKind.Killed => $"killed by {Signals.NameOf(Values[0])} after {after}",
                StepKind.Hang => $"hang after {after}",
                StepKind.Ready => $"ready after {after}",
                _ => $"stop heartbeating after {after}",
            };
        }
    }
}
