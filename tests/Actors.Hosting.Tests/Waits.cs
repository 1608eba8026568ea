using Actors.Supervision;

namespace Actors.Hosting.Tests;

/// <summary>Waits on what the supervisor reports, bounded generously for a busy machine; never a fixed sleep.</summary>
public static class Waits
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>Polls the status until <paramref name="until"/> holds; the poll interval is not a wait for an effect.</summary>
    public static async Task<ProcessSupervisor.ProcessStatus> StatusAsync(IProcessSupervisor client, string name,
        Func<ProcessSupervisor.ProcessStatus, bool> until)
    {
        using var bound = new CancellationTokenSource(Bound);
        ProcessSupervisor.ProcessStatus? last = null;
        while (!bound.IsCancellationRequested)
        {
            last = await client.GetStatusAsync(name, bound.Token);
            if (until(last)) return last;
            await Task.Delay(50, bound.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        throw new TimeoutException($"{name} never reached the expected state within {Bound}; last: {last?.State} {last?.Reason}");
    }
}
