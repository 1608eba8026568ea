using System.Net.Sockets;
using Actors.Configuration;
using Actors.Node.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Node.Http;

/// <summary>The HTTP listener of a node, bound (<see cref="HttpListenerSocket"/>) and with its token read, before the host is built.</summary>
internal sealed class HttpListening(HttpListenerSettings settings, Socket socket, string? token) : IDisposable
{
    public HttpListenerSettings Settings { get; } = settings;
    public string BaseAddress { get; } = HttpListenerSocket.BaseAddress(socket);

    /// <summary>Binds the address and reads the token file; the exceptions carry one line naming the key.</summary>
    /// <exception cref="HttpListenerException">The address cannot be listened on, or the token file is unusable.</exception>
    public static HttpListening Open(HttpListenerSettings settings)
    {
        string? token = null;
        if (settings.TokenFile is { } file)
        {
            if (!HttpTokenFile.TryRead(file, out var read, out var problem))
                throw new HttpListenerException($"actors.node.http.token-file: {problem}");
            token = read;
        }
        return new HttpListening(settings, HttpListenerSocket.Bind(settings), token);
    }

    /// <summary>Kestrel serves the bound socket; its connections are marked so their requests go to <see cref="HttpSurface"/>.</summary>
    public void Listen(KestrelServerOptions kestrel) =>
        kestrel.ListenHandle((ulong)socket.Handle, listen => listen.Use(HttpSurface.MarkConnections));

    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton(new BearerToken(token));
        services.AddSingleton<StatusSnapshot>();
        services.AddSingleton<MetricsEndpoint>();
        services.AddSingleton<HttpSurface>();
    }

    /// <summary>Requests on the listener's connections go to the <see cref="HttpSurface"/>, the unix socket's to the API.</summary>
    public static void Route(WebApplication app, ControlApi api)
    {
        var surface = app.Services.GetRequiredService<HttpSurface>();
        app.Run(ctx => HttpSurface.IsHttpListener(ctx) ? surface.HandleAsync(ctx) : api.HandleAsync(ctx));
    }

    public void Dispose() => socket.Dispose();
}
