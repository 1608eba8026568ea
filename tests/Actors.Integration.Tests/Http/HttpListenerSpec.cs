using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Xunit;

namespace Actors.Integration.Tests.Http;

/// <summary>The HTTP listener of a running node: open reads, token-guarded changes, metrics, streamed logs.</summary>
public sealed class HttpListenerSpec : IAsyncLifetime, IDisposable
{
    // web is ready through an exec probe; crashy exits 3 at once and then waits 30 s+ before its next start.
    private const string Processes = """
        web {
          command = "/bin/sh", args = ["-c", "while true; do echo web-line; sleep 0.2; done"]
          probes.readiness { type = exec, command = "/bin/true", period = 200ms, failure-threshold = 1 }
        }
        crashy { command = "/bin/sh", args = ["-c", "echo boom; exit 3"], backoff { min = 40s, max = 60s, random-factor = 0 } }
        """;

    private readonly HttpNode _http = new(Processes);

    public Task InitializeAsync()
    {
        _http.Start();
        _http.Node.AwaitState("web", "ready");
        _http.Node.AwaitState("crashy", "backing-off");
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Status_and_logs_are_open_without_a_token()
    {
        using var status = await _http.Client.GetAsync("v1/status");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var json = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["web", "crashy"], json.GetProperty("processes").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(_http.BaseAddress, json.GetProperty("node").GetProperty("http").GetString());

        using var logs = await _http.Client.GetAsync("v1/logs?name=crashy&n=5");
        Assert.Equal(HttpStatusCode.OK, logs.StatusCode);
        Assert.Contains("\"line\":\"boom\"", await logs.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task State_changes_without_or_with_a_wrong_token_get_401_with_one_line_and_change_nothing()
    {
        var pid = _http.Node.Pid("web");
        var requests = new (string Path, string Body)[]
        {
            ("v1/stop", "{\"names\": [\"web\"]}"), ("v1/restart", "{\"names\": [\"web\"]}"), ("v1/start", "{\"all\": true}"),
            ("v1/signal", "{\"names\": [\"web\"], \"signal\": \"KILL\"}"), ("v1/reload", "{}"), ("v1/shutdown", "{}"),
        };
        foreach (var (path, body) in requests)
        {
            foreach (var bearer in new string?[] { null, "not-the-token", _http.Token + "x" })
            {
                using var answer = await _http.PostAsync(path, body, bearer);
                var text = await answer.Content.ReadAsStringAsync();
                Assert.True(answer.StatusCode == HttpStatusCode.Unauthorized, $"{path} with {bearer ?? "no token"}: {answer.StatusCode} {text}");
                Assert.Equal("Bearer", answer.Headers.WwwAuthenticate.Single().Scheme);
                Assert.Equal(1, text.Count(c => c == '\n'));
                Assert.EndsWith("\n", text);
                Assert.Contains(bearer is null ? "no bearer token" : "wrong bearer token", JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());
            }
        }
        var web = _http.Node.Status("web");
        Assert.Equal("ready", web.GetProperty("state").GetString());
        Assert.Equal(pid, web.GetProperty("pid").GetInt32());
        Assert.Equal(0, web.GetProperty("restarts").GetInt32());
        Assert.False(_http.Node.Process!.HasExited);
    }

    [Fact]
    public async Task Stop_with_the_token_stops_the_process_and_the_unix_socket_confirms()
    {
        using var answer = await _http.PostAsync("v1/stop", "{\"names\": [\"web\"]}", _http.Token);
        var text = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, text);
        var result = JsonDocument.Parse(text).RootElement.GetProperty("results")[0];
        Assert.True(result.GetProperty("ok").GetBoolean(), text);
        Assert.Equal("stopped", result.GetProperty("message").GetString());
        Assert.Equal("stopped", _http.Node.State("web"));
    }

    [Fact]
    public async Task Metrics_parse_as_Prometheus_text_with_every_series_the_issue_names()
    {
        using var response = await _http.Client.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var families = PrometheusText.Parse(await response.Content.ReadAsStringAsync());
        double Value(string family, string process, string? sampleName = null) =>
            families[family].Samples.Single(s => s.Label("process") == process && (sampleName is null || s.Name == sampleName)).Value;

        foreach (var (name, type) in new[]
        {
            ("actors_process_up", "gauge"), ("actors_process_state", "gauge"), ("actors_process_restarts_total", "counter"),
            ("actors_process_last_exit_code", "gauge"), ("actors_process_start_time_seconds", "gauge"),
            ("actors_process_backoff_seconds", "gauge"), ("actors_probe_success", "gauge"), ("actors_lease_held", "gauge"),
            ("actors_log_bytes_total", "counter"),
        })
        {
            Assert.True(families.ContainsKey(name), $"no {name} in the scrape");
            Assert.Equal(type, families[name].Type);
            Assert.NotEqual("", families[name].Help);
        }
        Assert.Equal(1, Value("actors_process_up", "web"));
        Assert.Equal(0, Value("actors_process_up", "crashy"));
        foreach (var (process, state) in new[] { ("web", "ready"), ("crashy", "backing-off") })
        {
            var states = families["actors_process_state"].Samples.Where(s => s.Label("process") == process).ToList();
            Assert.Equal(9, states.Count);
            Assert.Equal(state, Assert.Single(states, s => s.Value == 1).Label("state"));
        }
        Assert.Equal(0, Value("actors_process_restarts_total", "web"));
        Assert.Equal(3, Value("actors_process_last_exit_code", "crashy"));
        Assert.DoesNotContain(families["actors_process_last_exit_code"].Samples, s => s.Label("process") == "web");
        var started = DateTimeOffset.FromUnixTimeMilliseconds((long)(Value("actors_process_start_time_seconds", "web") * 1000));
        Assert.InRange(started, DateTimeOffset.UtcNow - ControlledNode.Patience * 3, DateTimeOffset.UtcNow);
        Assert.DoesNotContain(families["actors_process_start_time_seconds"].Samples, s => s.Label("process") == "crashy");
        // 40 s, or 60 s after a second crash (a slow machine may get there before this scrape).
        Assert.InRange(Value("actors_process_backoff_seconds", "crashy"), 0.001, 60);
        Assert.Equal(0, Value("actors_process_backoff_seconds", "web"));
        var probe = Assert.Single(families["actors_probe_success"].Samples);
        Assert.Equal(("web", "readiness", 1.0), (probe.Label("process"), probe.Label("probe"), probe.Value));
        Assert.Empty(families["actors_lease_held"].Samples); // neither has a lease
        Assert.True(Value("actors_log_bytes_total", "web") >= "web-line\n".Length);
        var crashyBytes = Value("actors_log_bytes_total", "crashy");
        Assert.True(crashyBytes > 0 && crashyBytes % "boom\n".Length == 0, $"crashy logged {crashyBytes} bytes, not a whole number of \"boom\\n\"");
        // The node's own process and runtime metrics.
        Assert.True(families["process_cpu_seconds_total"].Samples.Single().Value > 0);
        Assert.True(families["process_working_set_bytes"].Samples.Single().Value > 0);
        Assert.Contains(families.Keys, k => k.StartsWith("dotnet_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logs_stream_to_a_browser_as_server_sent_events()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/logs?name=web&n=1&follow=true");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await _http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var deadline = new CancellationTokenSource(ControlledNode.Patience);
        async Task<JsonElement> NextEventAsync()
        {
            var data = await reader.ReadLineAsync(deadline.Token) ?? throw new EndOfStreamException();
            Assert.StartsWith("data: ", data);
            Assert.Equal("", await reader.ReadLineAsync(deadline.Token)); // an event ends with a blank line
            return JsonDocument.Parse(data["data: ".Length..]).RootElement;
        }
        Assert.Equal("web", (await NextEventAsync()).GetProperty("processes")[0].GetString());
        var backlog = await NextEventAsync();
        var seq = backlog.GetProperty("seq").GetInt64();
        // The process prints every 0.2 s: further events arrive on the open stream.
        var next = await NextEventAsync();
        Assert.Equal("web-line", next.GetProperty("line").GetString());
        Assert.True(next.GetProperty("seq").GetInt64() > seq);
    }

    [Fact]
    public async Task The_listener_loads_the_metrics_library_that_a_node_without_it_never_loads()
    {
        // The other half is in HttpListenerStartSpec; this proves the check can see the library at all.
        using var scrape = await _http.Client.GetAsync("metrics");
        Assert.Contains("Prometheus.NetStandard.dll", File.ReadAllText($"/proc/{_http.Node.Process!.Pid}/maps"));
    }
}
