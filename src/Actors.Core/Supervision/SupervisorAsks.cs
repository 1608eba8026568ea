using Akka.Actor;
using Actors.Configuration;
using Actors.Processes;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>
/// Commands from the root supervisor to process supervisors, asked outside the actor (only immutable values and
/// actor refs are used): how long each may take, and an answer for every one, a refusal when none came in time.
/// </summary>
internal static class SupervisorAsks
{
    /// <summary>For what answers at once (a status, a signal): a process supervisor that takes longer is stuck.</summary>
    public static readonly TimeSpan QuickAnswer = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a command may take: one that stops a run may wait for the longest stop timeout, the grace after
    /// SIGKILL and then the new run's start; a start may wait for a stop in progress.
    /// </summary>
    public static TimeSpan AnswerTimeout(IProcessCommand command, IEnumerable<ProcessSettings> targets)
    {
        if (command is not (StopProcess or RestartProcess or ApplySettings or StartProcess)) return QuickAnswer;
        var longest = targets.Select(s => s.Stop.Timeout).DefaultIfEmpty(TimeSpan.Zero).Max();
        if (command is ApplySettings apply && apply.Settings.Stop.Timeout > longest) longest = apply.Settings.Stop.Timeout;
        return longest + ProcessRunner.KillGrace + TimeSpan.FromSeconds(30);
    }

    /// <summary>The child's answer, or a refusal saying it did not come in time: one slow process spoils no one's answer.</summary>
    public static Task<IProcessReply> AskOrRefuse(IActorRef child, string name, IProcessCommand command, TimeSpan timeout) =>
        child.Ask<IProcessReply>(command, timeout).ContinueWith(t => t.IsCompletedSuccessfully
            ? t.Result
            : new CommandRefused(name, t.Exception?.GetBaseException() is AskTimeoutException or null
                ? $"no answer within {timeout.TotalSeconds:0}s"
                : t.Exception.GetBaseException().Message),
            TaskContinuationOptions.ExecuteSynchronously);

    /// <summary>Each wave asked at once, the next once every answer of the one before is in (or timed out); the replies in <paramref name="order"/>.</summary>
    public static async Task<NodeSupervisor.ProcessReplies> StopInWaves(
        IReadOnlyList<IReadOnlyList<string>> waves, Dictionary<string, IActorRef> refs, List<string> order, IProcessCommand command, TimeSpan timeout)
    {
        var replies = new Dictionary<string, IProcessReply>();
        foreach (var wave in waves)
        {
            // A refusal or a timeout does not hold the next wave back: the operator asked for all of them to stop.
            var answers = await Task.WhenAll(wave.Select(n => AskOrRefuse(refs[n], n, command, timeout))).ConfigureAwait(false);
            for (var i = 0; i < wave.Count; i++) replies[wave[i]] = answers[i];
        }
        return new NodeSupervisor.ProcessReplies(order.Select(n => replies[n]).ToList());
    }
}
