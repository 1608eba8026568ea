using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using Actors.Configuration;
using Actors.Supervision;
using Microsoft.Extensions.DependencyInjection;
using static Actors.Supervision.ProcessSupervisor;

namespace Actors.Hosting;

/// <summary>
/// <see cref="IProcessSupervisor"/> over the root supervisor, found lazily in the ActorRegistry (the AddAkka
/// builder runs after the container is built) and only while <see cref="SupervisionLifecycle"/> says the host runs,
/// so that a call made too early fails at once instead of creating the ActorSystem or waiting for it.
/// </summary>
internal sealed class ProcessSupervisorClient(IServiceProvider services, SupervisionLifecycle lifecycle) : IProcessSupervisor
{
    // Commands are bounded by the supervisors themselves (stop timeouts); this only guards against a lost answer.
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromHours(1);
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(30);

    public async Task<IReadOnlyList<ProcessStatus>> GetStatusAsync(CancellationToken cancellationToken = default) =>
        await QueryAsync(null, cancellationToken);

    public async Task<ProcessStatus> GetStatusAsync(string name, CancellationToken cancellationToken = default) =>
        (await QueryAsync([name], cancellationToken))[0];

    public async Task<ProcessStatus> StartAsync(string name, CancellationToken cancellationToken = default) =>
        Settled(await CommandAsync(name, new StartProcess(), cancellationToken));

    public async Task StopAsync(string name, CancellationToken cancellationToken = default)
    {
        var reply = await CommandAsync(name, new StopProcess(Persist: true), cancellationToken);
        if (reply is CommandRefused refused) throw new InvalidOperationException($"{refused.Name}: {refused.Reason}");
    }

    public async Task<ProcessStatus> RestartAsync(string name, CancellationToken cancellationToken = default) =>
        Settled(await CommandAsync(name, new RestartProcess(), cancellationToken));

    public async Task SignalAsync(string name, string signal, bool wholeGroup = false, CancellationToken cancellationToken = default)
    {
        if (!Signals.TryParse(signal, out var number))
            throw new ArgumentException($"unknown signal '{signal}'; use a name like HUP, TERM, USR1, SIGUSR2 or a number 1-64", nameof(signal));
        var reply = await CommandAsync(name, new SignalProcess(number, Signals.NameOf(number), wholeGroup), cancellationToken);
        if (reply is CommandRefused refused) throw new InvalidOperationException($"{refused.Name}: {refused.Reason}");
    }

    public async Task<ProcessScaled> ScaleAsync(string name, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (count is < 1 or > Replicas.Max)
            throw new ArgumentOutOfRangeException(nameof(count), count,
                $"a process runs 1 to {Replicas.Max} copies; to stop every copy of {name}, use StopAsync(\"{name}\")");
        var answer = await Root().Ask(new NodeSupervisor.Scale(name, count), CommandTimeout, cancellationToken);
        return answer switch
        {
            NodeSupervisor.Scaled scaled => new ProcessScaled(scaled.Name, scaled.From, scaled.To, scaled.Started, scaled.Stopped),
            NodeSupervisor.ScaleRefused refused => throw new InvalidOperationException($"cannot scale {name}: {refused.Reason}"),
            NodeSupervisor.UnknownProcesses unknown => throw new UnknownProcessException(unknown.Unknown, unknown.Known),
            _ => throw new InvalidOperationException($"unexpected answer {answer.GetType().Name}"),
        };
    }

    public async IAsyncEnumerable<ProcessTransition> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var root = Root();
        var system = services.GetRequiredService<ActorSystem>();
        var channel = Channel.CreateUnbounded<ProcessTransition>(new UnboundedChannelOptions { SingleReader = true });
        var watcher = system.ActorOf(FactoryProps.Of(() => new TransitionWatcher(channel.Writer, root)));
        try
        {
            await foreach (var transition in channel.Reader.ReadAllAsync(cancellationToken))
                yield return transition;
        }
        finally
        {
            watcher.Tell(PoisonPill.Instance);
        }
    }

    private async Task<IReadOnlyList<ProcessStatus>> QueryAsync(IReadOnlyList<string>? names, CancellationToken cancellationToken)
    {
        var answer = await Root().Ask(new NodeSupervisor.GetNodeStatus(names), QueryTimeout, cancellationToken);
        return answer switch
        {
            NodeSupervisor.NodeStatus status => status.Processes,
            NodeSupervisor.UnknownProcesses unknown => throw new UnknownProcessException(unknown.Unknown, unknown.Known),
            _ => throw new InvalidOperationException($"unexpected answer {answer.GetType().Name}"),
        };
    }

    private async Task<IProcessReply> CommandAsync(string name, IProcessCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var answer = await Root().Ask(new NodeSupervisor.ToProcesses([name], command), CommandTimeout, cancellationToken);
        return answer switch
        {
            NodeSupervisor.ProcessReplies replies => replies.Replies[0],
            NodeSupervisor.UnknownProcesses unknown => throw new UnknownProcessException(unknown.Unknown, unknown.Known),
            _ => throw new InvalidOperationException($"unexpected answer {answer.GetType().Name}"),
        };
    }

    private static ProcessStatus Settled(IProcessReply reply) => reply switch
    {
        ProcessStatus status => status,
        CommandRefused refused => throw new InvalidOperationException($"{refused.Name}: {refused.Reason}"),
        _ => throw new InvalidOperationException($"unexpected answer {reply.GetType().Name}"),
    };

    private IActorRef Root()
    {
        lifecycle.ThrowIfNotRunning();
        return services.GetRequiredService<ActorRegistry>().TryGet<ProcessSupervision>(out var root)
            ? root
            : throw new InvalidOperationException(
                "no process supervision in this ActorSystem: call akka.WithProcessSupervision(...) inside services.AddAkka(...)");
    }

    /// <summary>Forwards the root's transitions to one WatchAsync reader; completes it when the root or the system goes.</summary>
    private sealed class TransitionWatcher : DelegateReceiveActor
    {
        private readonly ChannelWriter<ProcessTransition> _writer;

        public TransitionWatcher(ChannelWriter<ProcessTransition> writer, IActorRef root)
        {
            _writer = writer;
            Context.Watch(root);
            Context.System.EventStream.Subscribe(Self, typeof(NodeSupervisor.ProcessTransitioned));
            Receive<NodeSupervisor.ProcessTransitioned>(t => _writer.TryWrite(new ProcessTransition(t.Name, t.State, t.Reason, t.At)));
            Receive<Terminated>(_ => Context.Stop(Self));
        }

        protected override void PostStop()
        {
            Context.System.EventStream.Unsubscribe(Self);
            _writer.TryComplete();
        }
    }
}
