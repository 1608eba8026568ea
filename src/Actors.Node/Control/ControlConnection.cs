using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Actors.Node.Control;

/// <summary>
/// HTTP/1.1 on one accepted control-socket connection (<see cref="ControlSocketServer"/>): the peer is checked
/// first (<see cref="PeerCheck"/>), then requests are read one after another (<see cref="HttpHead"/>,
/// <see cref="ControlRequestBody"/>) and run through the host's pipeline (<see cref="ControlResponse"/>). The bytes
/// come and go through <see cref="ControlSocketIo"/>, whose pending receive after a body turns the client going away
/// (Ctrl-C on <c>logs --follow</c>) into <c>RequestAborted</c>.
/// </summary>
internal sealed class ControlConnection<TContext>(Socket socket, IHttpApplication<TContext> application, ILogger log, CancellationToken stopping, bool checkPeer = true)
    : IControlConnection where TContext : notnull
{
    /// <summary>Kestrel's defaults: an idle kept-alive connection, and a request whose head does not arrive, are closed.</summary>
    private static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(130);
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(30);

    private readonly ControlSocketIo _io = new(socket);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Completion => _completion.Task;

    public void Abort() => _io.Abort();

    public async Task RunAsync()
    {
        try
        {
            if (checkPeer && !await PeerAllowedAsync()) return;
            while (await ServeOneAsync()) { }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException or TimeoutException)
        {
            // The peer went away, or the node is stopping: nothing more to answer on this connection.
        }
        catch (Exception e)
        {
            log.LogError(e, "control socket: connection failed");
        }
        finally
        {
            await _io.CloseAsync();
            _completion.TrySetResult();
        }
    }

    private async Task<bool> PeerAllowedAsync()
    {
        var peer = PeerCheck.PeerOf(socket);
        if (peer is { } allowed && PeerCheck.IsAllowed(allowed.Uid)) return true;
        // Unknown credentials are refused too: being unable to tell who it is, is not permission.
        var who = peer is { } p ? $"uid {p.Uid} (pid {p.Pid})" : "a peer whose credentials the kernel did not give";
        log.LogWarning("control socket: refused a connection from {Peer}; only root and uid {NodeUid} may use it", who, PeerCheck.NodeUid);
        // The request's head is read first (bounded), so the answer is not lost to a peer still writing it.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            while (_io.HeadEnd() < 0 && _io.Available < ControlSocketIo.MaxHead && await _io.ReadMoreAsync(deadline.Token) > 0) { }
        }
        catch (OperationCanceledException)
        {
            // A peer that sends no request in 5 s gets the answer anyway.
        }
        await _io.SendAsync(PeerCheck.RefusalResponse($"{who} may not use this node's control socket; only root and uid {PeerCheck.NodeUid} (the node's user) may"));
        return false;
    }

    /// <summary>Reads and answers one request; false when the connection is to be closed.</summary>
    private async Task<bool> ServeOneAsync()
    {
        int headEnd;
        while ((headEnd = _io.HeadEnd()) < 0)
        {
            if (_io.Available >= ControlSocketIo.MaxHead)
            {
                await _io.SendAsync(HttpHead.Bodyless(431));
                return false;
            }
            // Between requests a stopping node closes the connection; within a head it waits for the rest.
            var idle = _io.Available == 0;
            if (await _io.ReadMoreAsync(idle ? stopping : CancellationToken.None, idle ? KeepAliveTimeout : HeadTimeout) == 0) return false;
        }
        var head = Encoding.Latin1.GetString(_io.Buffer, _io.Start, headEnd - _io.Start);
        _io.Consume(headEnd + 4 - _io.Start);
        var request = new HttpRequestFeature();
        if (!HttpHead.TryParse(head, request, out var version))
        {
            await _io.SendAsync(HttpHead.Bodyless(400));
            return false;
        }
        var body = ControlRequestBody.For(_io, request.Headers, out var bodyError);
        if (body is null)
        {
            await _io.SendAsync(HttpHead.Bodyless(bodyError));
            return false;
        }
        request.Body = body;
        var keepAlive = version == "HTTP/1.1"
            ? !HttpHead.HasToken(request.Headers.Connection, "close")
            : HttpHead.HasToken(request.Headers.Connection, "keep-alive");
        using var aborted = new CancellationTokenSource();
        _io.Current = aborted;
        if (_io.PeerGone) aborted.Cancel();
        var response = new ControlResponse(_io, request.Method, version, aborted,
            e => log.LogError(e, "control socket: an on-completed callback failed"));
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(request);
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(response);
        features.Set<IHttpRequestLifetimeFeature>(response);
        if (body.Done) _io.WatchForHangUp();
        else body.Finished = _io.WatchForHangUp;

        var context = application.CreateContext(features);
        Exception? failure = null;
        try
        {
            await application.ProcessRequestAsync(context);
        }
        catch (Exception e)
        {
            failure = e;
            if (!response.HasStarted)
            {
                log.LogError(e, "control socket: {Method} {Path} failed", request.Method, request.Path);
                response.Reset(500);
            }
        }
        if (failure is not null && response.HasStarted)
        {
            // Part of the answer is out: the client can only tell from the connection closing.
            application.DisposeContext(context, failure);
            return false;
        }
        // The client may have asked to close, may not have sent all of its body, or may have asked for Connection: close.
        keepAlive &= body.Done && !_io.PeerGone && !stopping.IsCancellationRequested && !HttpHead.HasToken(response.Headers.Connection, "close");
        if (!keepAlive) response.Headers.Connection = "close";
        await response.CompleteAsync();
        await response.RunCompletedAsync();
        application.DisposeContext(context, failure);
        return keepAlive && !_io.PeerGone;
    }
}
