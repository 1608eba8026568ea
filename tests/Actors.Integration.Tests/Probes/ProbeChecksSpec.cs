using System.Collections;
using System.Net;
using System.Net.Sockets;
using Actors.Configuration;
using Actors.Probes;
using Xunit;

namespace Actors.Integration.Tests.Probes;

/// <summary>The http, tcp and heartbeat-file checks against real listeners, files and the TestDummy.</summary>
public sealed class ProbeChecksSpec : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-probes-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static ProbeContext Context(string dir, params string[] extraEnvironment) => new(
        dir,
        [.. Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().Select(e => $"{e.Key}={e.Value}"), .. extraEnvironment],
        4242);

    private IProbeCheck Check(ProbeTarget target) => ProbeChecks.Create(
        new ProbeSettings(ProbeRole.Readiness, target, TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 1, 1),
        Context(_dir));

    private static async Task<ProbeOutcome> Run(IProbeCheck check)
    {
        using var patience = new CancellationTokenSource(Patience);
        return await check.RunAsync(patience.Token);
    }

    /// <summary>A loopback port nobody listens on (bound by the system, then released).</summary>
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task Http_probe_fails_with_503_until_the_dummy_is_ready_then_passes_with_200()
    {
        var readyFile = Path.Combine(_dir, "ready");
        using var dummy = RunningDummy.Start("serve-http", "0", "--ready-file", readyFile);
        var port = (await dummy.AwaitLine("listening on "))["listening on ".Length..];
        var check = Check(new HttpProbeTarget(new Uri($"http://127.0.0.1:{port}/health")));

        Assert.Equal(ProbeOutcome.Fail("HTTP 503"), await Run(check));
        await File.WriteAllTextAsync(readyFile, "");
        Assert.Equal(ProbeOutcome.Pass("HTTP 200"), await Run(check));
    }

    [Fact]
    public async Task Http_probe_passes_a_redirect_without_following_it()
    {
        // Following the redirect would hit a closed port and fail.
        using var server = new CannedHttpServer(
            $"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{ClosedPort()}/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        Assert.Equal(ProbeOutcome.Pass("HTTP 302"), await Run(Check(new HttpProbeTarget(server.Url()))));
    }

    [Fact]
    public async Task Http_probe_fails_on_a_client_error_status()
    {
        using var server = new CannedHttpServer("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        Assert.Equal(ProbeOutcome.Fail("HTTP 404"), await Run(Check(new HttpProbeTarget(server.Url()))));
    }

    [Fact]
    public async Task Http_probe_of_a_closed_port_says_connection_refused()
    {
        var check = Check(new HttpProbeTarget(new Uri($"http://127.0.0.1:{ClosedPort()}/health")));
        Assert.Equal(ProbeOutcome.Fail("connection refused"), await Run(check));
    }

    [Fact]
    public async Task Http_probe_of_a_hung_server_ends_when_cancelled()
    {
        using var server = new CannedHttpServer(null);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var check = Check(new HttpProbeTarget(server.Url()));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => check.RunAsync(timeout.Token).WaitAsync(Patience));
    }

    [Fact]
    public async Task Tcp_probe_passes_when_a_connection_opens_and_names_the_endpoint()
    {
        using var server = new CannedHttpServer(null);
        Assert.Equal(ProbeOutcome.Pass($"connected to 127.0.0.1:{server.Port}"), await Run(Check(new TcpProbeTarget("127.0.0.1", server.Port))));
    }

    [Fact]
    public async Task Tcp_probe_of_a_closed_port_says_connection_refused()
    {
        Assert.Equal(ProbeOutcome.Fail("connection refused"), await Run(Check(new TcpProbeTarget("127.0.0.1", ClosedPort()))));
    }

    [Fact]
    public async Task Heartbeat_probe_fails_before_the_first_heartbeat_and_names_the_file()
    {
        var check = Check(new HeartbeatFileProbeTarget("beat", TimeSpan.FromSeconds(30)));
        Assert.Equal(ProbeOutcome.Fail($"no heartbeat file {Path.Combine(_dir, "beat")} yet"), await Run(check));
    }

    [Fact]
    public async Task Heartbeat_probe_compares_the_file_age_with_max_age_on_the_given_clock()
    {
        var file = Path.Combine(_dir, "beat");
        await File.WriteAllTextAsync(file, "");
        var touched = new DateTime(2030, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(file, touched);
        var now = new DateTimeOffset(touched);
        var check = new HeartbeatFileProbeCheck(file, TimeSpan.FromSeconds(30), () => now);

        now = new DateTimeOffset(touched).AddSeconds(5);
        Assert.Equal(ProbeOutcome.Pass("heartbeat 5s old, max-age 30s"), await Run(check));
        now = new DateTimeOffset(touched).AddSeconds(42);
        Assert.Equal(ProbeOutcome.Fail("heartbeat 42s old, max-age 30s"), await Run(check));
    }

    [Fact]
    public async Task Heartbeat_probe_passes_while_the_dummy_touches_its_file_and_fails_once_it_stopped()
    {
        var file = Path.Combine(_dir, "beat");
        using var dummy = RunningDummy.Start("heartbeat", file, "50");
        await dummy.AwaitLine("heartbeat started");
        var check = new HeartbeatFileProbeCheck(file, TimeSpan.FromMilliseconds(500), () => DateTimeOffset.UtcNow);
        Assert.True((await Run(check)).Passed);

        await Signal(dummy.Pid, "USR1");
        await dummy.AwaitLine("heartbeat stopped");
        // The dummy still runs, but its file ages: the check fails once it is older than max-age (bounded poll).
        var outcome = await Run(check);
        for (var deadline = DateTime.UtcNow + Patience; outcome.Passed && DateTime.UtcNow < deadline; outcome = await Run(check))
            await Task.Delay(50);
        Assert.False(outcome.Passed, outcome.Detail);
        Assert.Matches(@"^heartbeat (\d+ms|\d+(\.\d)?s) old, max-age 500ms$", outcome.Detail);
    }

    private static async Task Signal(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }
}
