using Actors.Supervision;
using Microsoft.AspNetCore.Http;
using Prometheus;

namespace Actors.Node.Http;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format (prometheus-net): one series set per declared process, from
/// the <see cref="StatusSnapshot"/>, plus the node's own <c>process_*</c> and .NET runtime metrics. Series of a
/// process that a reload removed, or of a state it left (start time while not running), disappear.
/// </summary>
internal sealed class MetricsEndpoint : IDisposable
{
    private static readonly ProcessState[] States = Enum.GetValues<ProcessState>();

    private readonly StatusSnapshot _snapshot;
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly SemaphoreSlim _scrape = new(1, 1);
    private readonly Gauge _up, _state, _lastExit, _startTime, _backoff, _probe, _lease;
    private readonly Counter _restarts, _logBytes;

    public MetricsEndpoint(StatusSnapshot snapshot)
    {
        _snapshot = snapshot;
        var f = Metrics.WithCustomRegistry(_registry);
        _up = f.CreateGauge("actors_process_up", "1 while the process runs (running or ready), else 0.", "process");
        _state = f.CreateGauge("actors_process_state", "1 for the process's current state, 0 for the others.", "process", "state");
        _restarts = f.CreateCounter("actors_process_restarts_total", "Restarts of the process (kept across node restarts in state.json).", "process");
        _lastExit = f.CreateGauge("actors_process_last_exit_code", "Exit code of the last run; 128+N when signal N killed it. Absent before the first exit.", "process");
        _startTime = f.CreateGauge("actors_process_start_time_seconds", "Unix time the current run started. Absent while not running.", "process");
        _backoff = f.CreateGauge("actors_process_backoff_seconds", "Seconds left until the next start while backing off, else 0.", "process");
        _probe = f.CreateGauge("actors_probe_success", "1 when the probe passes, 0 when it fails. Absent until its thresholds decided.", "process", "probe");
        _lease = f.CreateGauge("actors_lease_held", "1 while this node holds the process's lease. Only processes with a lease.", "process");
        _logBytes = f.CreateCounter("actors_log_bytes_total", "Bytes of output the process wrote to its log (since the node started).", "process");
        // process_cpu_seconds_total, process_*_memory_bytes, process_open_handles, process_num_threads,
        // process_start_time_seconds, dotnet_collection_count_total, dotnet_total_memory_bytes.
        // No MeterAdapter for the runtime's System.Runtime meter: tried, it connected its instruments but exported
        // no series in 8.2.1, and a MeterListener in the node costs memory for nothing.
        DotNetStats.Register(_registry);
    }

    public async Task HandleAsync(HttpContext ctx)
    {
        var status = await _snapshot.GetAsync();
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        // One scrape at a time updates the series and writes them, so two scrapes never interleave their updates.
        await _scrape.WaitAsync(ctx.RequestAborted);
        try
        {
            Update(status.Processes, DateTimeOffset.UtcNow);
            await _registry.CollectAndExportAsTextAsync(ctx.Response.Body, ctx.RequestAborted);
        }
        finally
        {
            _scrape.Release();
        }
    }

    private void Update(IReadOnlyList<ProcessSupervisor.ProcessStatus> processes, DateTimeOffset now)
    {
        var kept = new Dictionary<Collector, HashSet<string>>();
        void Set(Gauge gauge, double value, params string[] labels)
        {
            gauge.WithLabels(labels).Set(value);
            Keep(kept, gauge, labels);
        }
        void CountTo(Counter counter, double value, params string[] labels)
        {
            var child = counter.WithLabels(labels);
            // A counter never goes down; a smaller value is a reset (a supervisor restarted), shown as one.
            if (value < child.Value)
            {
                counter.RemoveLabelled(labels);
                child = counter.WithLabels(labels);
            }
            child.IncTo(value);
            Keep(kept, counter, labels);
        }

        foreach (var p in processes)
        {
            Set(_up, p.State is ProcessState.Running or ProcessState.Ready ? 1 : 0, p.Name);
            foreach (var state in States) Set(_state, state == p.State ? 1 : 0, p.Name, state.ToDisplay());
            CountTo(_restarts, p.Restarts, p.Name);
            CountTo(_logBytes, p.LogBytes, p.Name);
            if (p.LastExit is { } exit) Set(_lastExit, exit.Signal is { } signal ? 128 + signal : exit.Code ?? 0, p.Name);
            if (p.RunningSince is { } since && p.Pid is not null) Set(_startTime, since.ToUnixTimeMilliseconds() / 1000.0, p.Name);
            Set(_backoff, p.State == ProcessState.BackingOff && p.NextStartAt is { } next ? Math.Max(0, (next - now).TotalSeconds) : 0, p.Name);
            foreach (var probe in p.Probes)
            {
                if (probe.Passing is { } passing) Set(_probe, passing ? 1 : 0, p.Name, probe.Role.ToString().ToLowerInvariant());
            }
            if (p.Lease is { } lease) Set(_lease, lease.Held ? 1 : 0, p.Name);
        }
        RemoveStale(_up, kept);
        RemoveStale(_state, kept);
        RemoveStale(_restarts, kept);
        RemoveStale(_logBytes, kept);
        RemoveStale(_lastExit, kept);
        RemoveStale(_startTime, kept);
        RemoveStale(_backoff, kept);
        RemoveStale(_probe, kept);
        RemoveStale(_lease, kept);
    }

    private static void Keep(Dictionary<Collector, HashSet<string>> kept, Collector collector, string[] labels)
    {
        if (!kept.TryGetValue(collector, out var set)) kept[collector] = set = new HashSet<string>(StringComparer.Ordinal);
        set.Add(string.Join('\0', labels));
    }

    private static void RemoveStale<TChild>(Collector<TChild> collector, Dictionary<Collector, HashSet<string>> kept) where TChild : ChildBase
    {
        kept.TryGetValue(collector, out var set);
        foreach (var labels in collector.GetAllLabelValues().ToList())
        {
            if (set is null || !set.Contains(string.Join('\0', labels))) collector.RemoveLabelled(labels);
        }
    }

    public void Dispose() => _scrape.Dispose();
}
