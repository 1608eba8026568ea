using System.Threading.Channels;
using Actors.Probes;
using Xunit;

namespace Actors.Core.Tests.Probes;

/// <summary>
/// A probe check the test completes by hand: every <see cref="RunAsync"/> hands the test a <see cref="PendingCheck"/>
/// to pass, fail or throw whenever the scenario wants, and shows whether the probe cancelled it.
/// </summary>
internal sealed class ScriptedCheck : IProbeCheck
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private readonly Channel<PendingCheck> _started = Channel.CreateUnbounded<PendingCheck>();
    private int _count;

    /// <summary>How many checks the probe started so far.</summary>
    public int Count => Volatile.Read(ref _count);

    public Task<ProbeOutcome> RunAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        var check = new PendingCheck(cancellationToken);
        _started.Writer.TryWrite(check);
        return check.Outcome;
    }

    /// <summary>The next check the probe starts (waits on real time, bounded).</summary>
    public async Task<PendingCheck> NextAsync()
    {
        using var patience = new CancellationTokenSource(Patience);
        return await _started.Reader.ReadAsync(patience.Token);
    }

    /// <summary>True if a check was started and not yet taken with <see cref="NextAsync"/>.</summary>
    public bool AnyStarted => _started.Reader.TryPeek(out _);
}

internal sealed class PendingCheck(CancellationToken token)
{
    private readonly TaskCompletionSource<ProbeOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<ProbeOutcome> Outcome => _outcome.Task;

    public CancellationToken Token { get; } = token;

    public void Pass(string detail = "ok") => _outcome.SetResult(ProbeOutcome.Pass(detail));

    public void Fail(string detail) => _outcome.SetResult(ProbeOutcome.Fail(detail));

    public void Throw(Exception error) => _outcome.SetException(error);

    /// <summary>Waits (bounded) until the probe cancels this check: it cancels off its own thread.</summary>
    public async Task AwaitCancelledAsync()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = Token.Register(() => cancelled.TrySetResult());
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(Token.IsCancellationRequested);
    }
}
