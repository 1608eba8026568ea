using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Actors.Node.Control;

/// <summary>
/// The server of the control API on the node's unix socket when the HTTP listener is off: the ASP.NET Core host
/// runs the same pipeline (<see cref="ControlApi"/>) on it as it would on Kestrel, but no timer runs while no one
/// asks. Kestrel wakes once a second whatever happens (its heartbeat thread, not configurable); measured on an
/// idle node with 500 processes it was the largest part of what was left (0.06-0.08 % of a core, about 0.5 ms per
/// beat on this machine), and its assemblies cost memory too. The control API needs little of HTTP/1.1: one request
/// at a time per connection, keep-alive, bodies by length or chunked, responses by length or chunked (logs follow),
/// 100-continue. <see cref="ControlConnection{TContext}"/> does that. With the HTTP listener on, Kestrel serves both
/// sockets as before (it is needed for TCP anyway).
/// </summary>
/// <remarks>
/// <paramref name="checkPeer"/> off: for a TCP socket, which has no peer credentials to check (the cluster bootstrap's
/// endpoint, <c>Cluster/BootstrapEndpoint.cs</c>, serves the same way).
/// </remarks>
internal sealed class ControlSocketServer(Socket listener, ILogger<ControlSocketServer> log, bool checkPeer = true) : IServer
{
    /// <summary>Bodies are a few names and flags (<see cref="RequestBody.MaxBytes"/>); a larger one is a 413.</summary>
    internal const long MaxRequestBodySize = RequestBody.MaxBytes;

    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<IControlConnection> _connections = [];
    private Task _accepting = Task.CompletedTask;

    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
    {
        _accepting = AcceptAsync(application);
        return Task.CompletedTask;
    }

    private async Task AcceptAsync<TContext>(IHttpApplication<TContext> application) where TContext : notnull
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors (EMFILE) or a peer that left before the accept: the socket stays; try again shortly.
                log.LogWarning("control socket: accept failed ({Error}); retrying", e.Message);
                try { await Task.Delay(TimeSpan.FromMilliseconds(100), _stopping.Token); }
                catch (OperationCanceledException) { return; }
                continue;
            }
            var connection = new ControlConnection<TContext>(socket, application, log, _stopping.Token, checkPeer);
            lock (_connections) _connections.Add(connection);
            _ = RunAsync(connection);
        }
    }

    private async Task RunAsync(IControlConnection connection)
    {
        try
        {
            await connection.RunAsync();
        }
        finally
        {
            lock (_connections) _connections.Remove(connection);
        }
    }

    /// <summary>
    /// Stops accepting; a connection waiting for its next request closes, one in the middle of a request finishes it
    /// (until <paramref name="cancellationToken"/>, when what is left is cut off), as Kestrel does.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _accepting;
        IControlConnection[] open;
        lock (_connections) open = [.. _connections];
        var all = Task.WhenAll(open.Select(c => c.Completion));
        try
        {
            await all.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            foreach (var connection in open) connection.Abort();
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        IControlConnection[] open;
        lock (_connections) open = [.. _connections];
        foreach (var connection in open) connection.Abort();
        _stopping.Dispose();
    }
}

/// <summary>One accepted connection, whatever the host's context type.</summary>
internal interface IControlConnection
{
    Task RunAsync();
    Task Completion { get; }
    void Abort();
}
