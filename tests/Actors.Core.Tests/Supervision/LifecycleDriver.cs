using Actors.Configuration;
using Actors.Processes;
using Actors.Supervision;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Core.Tests.Supervision;

/// <summary>
/// Drives <see cref="ProcessLifecycle"/> without actors: feeds events at a virtual time it moves by hand, keeps the
/// effects, and plays the actor's one synchronous part (an <see cref="Effect.OpenLog"/> is answered at once).
/// </summary>
internal sealed class LifecycleDriver(ProcessSettings settings, SavedIntent? intent = null, int seed = 42)
{
    private static readonly DateTimeOffset Origin = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly ProcessLifecycle _lifecycle = new(new Random(seed), "node-a");

    public LifecycleState State { get; private set; } = LifecycleState.Initial(settings, intent ?? SavedIntent.Default, []);
    public TimeSpan Now { get; private set; }
    /// <summary>Every effect so far, in order.</summary>
    public List<Effect> Effects { get; } = [];

    /// <summary>Feeds <paramref name="e"/> now and returns the effects it (and the answers it needed) produced.</summary>
    public List<Effect> Feed(LifecycleEvent e)
    {
        var produced = new List<Effect>();
        var pending = new Queue<LifecycleEvent>([e]);
        while (pending.TryDequeue(out var next))
        {
            var (state, effects) = _lifecycle.Decide(State, next, new Moment(Now, Origin + Now));
            State = state;
            produced.AddRange(effects);
            if (effects.OfType<Effect.OpenLog>().Any()) pending.Enqueue(new LifecycleEvent.LogOpened(null));
        }
        Effects.AddRange(produced);
        return produced;
    }

    public List<Effect> At(TimeSpan now, LifecycleEvent e)
    {
        Now = now;
        return Feed(e);
    }

    public List<Effect> Crash(int code = 1) => Feed(new LifecycleEvent.RunEnded(ExitStatus.Exited(code), $"exited with code {code}", true, null));

    /// <summary>The end of a run someone asked to stop (the runner reports it as finished, not failed).</summary>
    public List<Effect> Ended(ExitStatus exit) => Feed(new LifecycleEvent.RunEnded(exit, $"exited with {exit}", false, null));

    /// <summary>The same always-restarting process the actor-level simulation specs use.</summary>
    public static ProcessSettings Service(string name = "web") => Simulation.SupervisionSpec.DefaultProcess(name);
}
