using System.Net;
using System.Net.Sockets;
using Actors.Configuration;

namespace Actors.Probes;

/// <summary><c>type = tcp</c>: a connection to host:port opens ("connected to 127.0.0.1:5432"); it is closed at once.</summary>
internal sealed class TcpProbeCheck(TcpProbeTarget target) : IProbeCheck
{
    public async Task<ProbeOutcome> RunAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(target.Host, target.Port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException error)
        {
            return ProbeOutcome.Fail(NetworkErrors.Describe(error));
        }
        return ProbeOutcome.Pass($"connected to {Readable(client.Client.RemoteEndPoint)}");
    }

    /// <summary>"127.0.0.1:5432" rather than the dual-mode socket's "[::ffff:127.0.0.1]:5432".</summary>
    private static string? Readable(EndPoint? endPoint) => endPoint is IPEndPoint { Address.IsIPv4MappedToIPv6: true } ip
        ? new IPEndPoint(ip.Address.MapToIPv4(), ip.Port).ToString()
        : endPoint?.ToString();
}
