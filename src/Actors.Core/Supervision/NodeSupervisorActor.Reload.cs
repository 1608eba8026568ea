using Akka.Actor;
using Akka.Event;
using Actors.Configuration;
using Actors.Processes;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Supervision;

/// <summary>
/// Reload and scale (<c>actors scale NAME COUNT</c>, planned by <see cref="ReplicaPlanner"/>), one at a time in the
/// order they came, so a scale and a reload never interleave. A reload compares the new declarations with the current ones by content. Added processes start, removed
/// ones stop and their supervisors go, changed ones take the new settings (and restart), unchanged ones are not
/// touched. One reload at a time; the node keeps answering everything else meanwhile.
/// </summary>
internal sealed partial class NodeSupervisorActor
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>One part of the reload in progress has answered (or timed out).</summary>
    private sealed record ReloadStep;

    /// <summary>A removed process has stopped: its supervisor can go.</summary>
    private sealed record RemovedStopped(IActorRef Child);

    private sealed class ReloadInProgress(IActorRef replyTo)
    {
        public IActorRef ReplyTo { get; } = replyTo;
        public object? Result { get; set; }
        public int Pending { get; set; }
    }

    // Reloads and scales, applied one at a time in the order they came: each is judged against what the one before did.
    private readonly Queue<(object Request, IActorRef ReplyTo)> _reloads = new();
    // Scales and the counts of the file last read (a reload keeps a scaled count unless the file's count changed).
    private readonly ReplicaPlanner _replicas = new();
    // Supervisors of removed processes, until they are gone; their names cannot be reused before that.
    private readonly Dictionary<IActorRef, string> _leaving = new();
    private ReloadInProgress? _reload;

    private void ReceiveReload()
    {
        Receive<NodeSupervisor.Reload>(m =>
        {
            if (ShuttingDown)
            {
                Sender.Tell(new Status.Failure(new InvalidOperationException("the node is shutting down; nothing reloaded")));
                return;
            }
            _reloads.Enqueue((m, Sender));
            if (_reload is null) BeginNextReload();
        });
        Receive<NodeSupervisor.Scale>(m =>
        {
            if (ShuttingDown)
            {
                Sender.Tell(new NodeSupervisor.ScaleRefused(m.Name, "the node is shutting down; nothing scaled"));
                return;
            }
            _reloads.Enqueue((m, Sender));
            if (_reload is null) BeginNextReload();
        });
        Receive<ReloadStep>(_ => StepDone());
        Receive<RemovedStopped>(m => Context.Stop(m.Child));
    }

    private void BeginNextReload()
    {
        while (_reloads.TryDequeue(out var next))
        {
            switch (next.Request)
            {
                case NodeSupervisor.Reload reload:
                    Apply(_replicas.Rebase(reload.Settings.Processes, DeclaredSettings()), next.ReplyTo, stopInOrder: false, null);
                    return;
                case NodeSupervisor.Scale scale:
                    var (wanted, answer) = _replicas.PlanScale(scale, DeclaredSettings());
                    if (wanted is null)
                    {
                        next.ReplyTo.Tell(answer!);
                        continue;
                    }
                    Apply(wanted, next.ReplyTo, stopInOrder: true, scale);
                    return;
            }
        }
    }

    /// <summary>
    /// Makes the declared processes what <paramref name="wanted"/> says: added ones start, removed ones stop (at
    /// once, or for a scale one after another, highest-numbered first), changed ones take their new settings.
    /// </summary>
    private void Apply(IReadOnlyList<ProcessSettings> wanted, IActorRef replyTo, bool stopInOrder, NodeSupervisor.Scale? scale)
    {
        Declare(wanted);
        var current = _processes.ToDictionary(c => c.Name);
        var names = wanted.Select(p => p.Name).ToHashSet();
        var added = new List<string>();
        var changed = new List<string>();
        var unchanged = new List<string>();
        var removed = _processes.Where(c => !names.Contains(c.Name)).ToList();
        // A scale down stops the highest-numbered copies first.
        if (stopInOrder) removed = removed.OrderByDescending(c => c.Settings.Replica?.Index ?? 1).ToList();
        var reload = _reload = new ReloadInProgress(replyTo);

        if (stopInOrder)
        {
            foreach (var child in removed)
            {
                _leaving[child.Ref] = child.Name;
                reload.Pending++;
            }
            _ = StopOneAfterAnother(removed, scale?.Count ?? 0, Self);
        }
        else foreach (var child in removed)
        {
            _leaving[child.Ref] = child.Name;
            reload.Pending++;
            // Done when the supervisor is gone (Terminated), not when the stop is answered: only then is the name free.
            var timeout = child.Settings.Stop.Timeout + ProcessRunner.KillGrace + SettleTimeout;
            child.Ref.Ask<ProcessStopped>(new StopProcess("removed from the configuration"), timeout)
                .ContinueWith(_ => new RemovedStopped(child.Ref), TaskContinuationOptions.ExecuteSynchronously)
                .PipeTo(Self);
        }

        // The new order is the new declaration order: it decides the order of the node's stop.
        _processes.Clear();
        foreach (var settings in wanted)
        {
            if (!current.TryGetValue(settings.Name, out var existing))
            {
                var child = Create(settings, SavedIntent.Default);
                _processes.Add(child);
                added.Add(settings.Name);
                Await(child.Ref.Ask<ProcessStatus>(new ProcessSupervisorActor.AwaitSettled(), SettleTimeout));
            }
            else if (ProcessSettingsEquality.Instance.Equals(existing.Settings, settings))
            {
                _processes.Add(existing);
                unchanged.Add(settings.Name);
                SendDependencyStates(settings, existing.Ref);
            }
            else
            {
                _processes.Add(existing with { Settings = settings });
                changed.Add(settings.Name);
                SendDependencyStates(settings, existing.Ref);
                var longest = existing.Settings.Stop.Timeout > settings.Stop.Timeout ? existing.Settings.Stop.Timeout : settings.Stop.Timeout;
                Await(existing.Ref.Ask<ProcessStatus>(new ApplySettings(settings), longest + ProcessRunner.KillGrace + SettleTimeout));
                // Enqueued after the new settings: a process that became a singleton learns where the node stands.
                TellGate(settings, existing.Ref);
            }
        }

        reload.Result = scale is not null
            ? new NodeSupervisor.Scaled(scale.Name, current.Values.Count(c => c.Settings.Group == scale.Name), scale.Count, added, removed.Select(c => c.Name).ToList())
            : new NodeSupervisor.Reloaded(added, removed.Select(c => c.Name).ToList(), changed, unchanged);
        if (scale is not null)
            _log.Info("scale {0} to {1}: started [{2}], stopping [{3}]", scale.Name, scale.Count, string.Join(", ", added), string.Join(", ", removed.Select(c => c.Name)));
        else _log.Info("reload: added [{0}], removed [{1}], changed [{2}], {3} unchanged",
            string.Join(", ", added), string.Join(", ", removed.Select(c => c.Name)), string.Join(", ", changed), unchanged.Count);
        // Replicas came or went: what a declared name's dependents see may have changed with them.
        foreach (var group in wanted.Select(p => p.Group).Distinct()) NotifyDependents(group);
        if (reload.Pending == 0) FinishReload();

        void Await(Task task)
        {
            reload.Pending++;
            // A timeout is a step done too: the reload reports what it did, the process's status tells the rest.
            task.ContinueWith(_ => new ReloadStep(), TaskContinuationOptions.ExecuteSynchronously).PipeTo(Self);
        }
    }

    private void StepDone()
    {
        if (_reload is null) return;
        if (--_reload.Pending == 0) FinishReload();
    }

    private void FinishReload()
    {
        _reload!.ReplyTo.Tell(_reload.Result!);
        _reload = null;
        BeginNextReload();
    }

    /// <summary>
    /// A scale down: the copies stop one after another, in the order given (highest-numbered first); each
    /// supervisor goes once its copy has stopped. Runs outside the actor (only actor refs and settings are used).
    /// </summary>
    private static async Task StopOneAfterAnother(IReadOnlyList<Child> children, int count, IActorRef self)
    {
        foreach (var child in children)
        {
            var timeout = child.Settings.Stop.Timeout + ProcessRunner.KillGrace + SettleTimeout;
            try
            {
                await child.Ref.Ask<ProcessStopped>(new StopProcess($"scaled down to {count}"), timeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                // No answer in time: stopping its supervisor stops its run all the same.
            }
            self.Tell(new RemovedStopped(child.Ref));
        }
    }

    private void FailQueuedReloads()
    {
        while (_reloads.TryDequeue(out var queued))
            queued.ReplyTo.Tell(new Status.Failure(new InvalidOperationException("the node is shutting down; nothing reloaded")));
    }
}
