using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit;

namespace Actors.Hosting.Tests;

/// <summary>The sample app (samples/HostedApp) run in-process by WebApplicationFactory, over a config of the test's own.</summary>
public sealed class HostedAppSpec : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("actors-hostedapp-").FullName;
    private WebApplicationFactory<Program>? _factory;

    public Task InitializeAsync() => Task.CompletedTask;

    private HttpClient Start(string processes)
    {
        var config = Path.Combine(_folder, "supervision.conf");
        File.WriteAllText(config, $$"""
            actors {
              node { state-dir = "state", log-dir = "logs", shutdown-timeout = 20s }
              processes { {{processes}} }
            }
            """);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web.UseSetting("Actors:Config", config));
        return _factory.CreateClient();
    }

    [Fact]
    public async Task Status_lists_both_workers_and_health_is_Healthy_while_they_run()
    {
        var http = Start("""
            ticker { command = "/bin/sleep", args = ["600"] }
            reporter { command = "/bin/sleep", args = ["600"] }
            """);
        var states = await UntilAsync(http, s => s.Values.All(v => v == "Running"));
        Assert.Equal(["reporter", "ticker"], states.Keys.Order());
        Assert.Equal("Healthy", await HealthAsync(http, HttpStatusCode.OK));
    }

    [Fact]
    public async Task Health_is_Degraded_while_a_worker_crash_loops()
    {
        var http = Start("""
            ticker { command = "/bin/sleep", args = ["600"] }
            crasher { command = "/bin/sh", args = ["-c", "exit 1"], backoff { min = 30s, max = 30s } }
            """);
        await UntilAsync(http, s => s.GetValueOrDefault("crasher") == "BackingOff");
        Assert.Equal("Degraded", await HealthAsync(http, HttpStatusCode.OK));
    }

    [Fact]
    public async Task Health_is_Unhealthy_when_a_critical_worker_failed()
    {
        var http = Start("""
            ticker { command = "/bin/sleep", args = ["600"] }
            db { command = "/bin/sh", args = ["-c", "exit 1"], restart = never, critical = on }
            """);
        await UntilAsync(http, s => s.GetValueOrDefault("db") == "Failed");
        Assert.Equal("Unhealthy", await HealthAsync(http, HttpStatusCode.ServiceUnavailable));
    }

    [Fact]
    public async Task Restart_starts_a_new_run_and_an_unknown_name_is_404_listing_the_known_ones()
    {
        var http = Start("""
            ticker { command = "/bin/sleep", args = ["600"] }
            reporter { command = "/bin/sleep", args = ["600"] }
            """);
        await UntilAsync(http, s => s.Values.All(v => v == "Running"));
        var before = await PidOfAsync(http, "ticker");
        var restart = await http.PostAsync("/restart/ticker", null);
        Assert.Equal(HttpStatusCode.OK, restart.StatusCode);
        using var restarted = JsonDocument.Parse(await restart.Content.ReadAsStringAsync());
        Assert.Equal("Running", restarted.RootElement.GetProperty("state").GetString());
        Assert.NotEqual(before, restarted.RootElement.GetProperty("pid").GetInt32());

        var unknown = await http.PostAsync("/restart/nope", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var body = await unknown.Content.ReadAsStringAsync();
        Assert.Contains("ticker", body);
        Assert.Contains("reporter", body);
    }

    private static async Task<int> PidOfAsync(HttpClient http, string name)
    {
        var json = await http.GetStringAsync("/status");
        using var doc = JsonDocument.Parse(json);
        Assert.True(doc.RootElement.EnumerateArray().Single(p => p.GetProperty("name").GetString() == name).GetProperty("pid").ValueKind == JsonValueKind.Number, json);
        return doc.RootElement.EnumerateArray().Single(p => p.GetProperty("name").GetString() == name).GetProperty("pid").GetInt32();
    }

    private static async Task<string> HealthAsync(HttpClient http, HttpStatusCode expected)
    {
        var response = await http.GetAsync("/health");
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Polls /status (name → state) until <paramref name="until"/> holds, within the generous bound.</summary>
    private static async Task<Dictionary<string, string>> UntilAsync(HttpClient http, Func<Dictionary<string, string>, bool> until)
    {
        using var bound = new CancellationTokenSource(Waits.Bound);
        var last = new Dictionary<string, string>();
        while (!bound.IsCancellationRequested)
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync("/status", bound.Token));
            last = doc.RootElement.EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("state").GetString()!);
            if (until(last)) return last;
            await Task.Delay(50, bound.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        throw new TimeoutException($"status never matched; last: {string.Join(", ", last.Select(p => $"{p.Key}={p.Value}"))}");
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        try { Directory.Delete(_folder, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
