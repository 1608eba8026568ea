using Xunit;

namespace Actors.Integration.Tests;

/// <summary>
/// The setup most node specs share: the config their constructor writes (<c>Node.WriteConfig</c>), a node started on
/// it before each test and stopped after it, whatever happened. Started in <see cref="InitializeAsync"/>, not in the
/// constructor: xunit disposes an instance whose start failed there, but not one whose constructor threw, which would
/// leave the node running.
/// </summary>
public abstract class RunningNodeSpec : IAsyncLifetime, IDisposable
{
    protected ControlledNode Node { get; } = new();

    public Task InitializeAsync()
    {
        Node.Start();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => Node.Dispose();
}
