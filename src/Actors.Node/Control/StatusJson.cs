using System.Globalization;
using System.Text.Json;
using Actors.Supervision;

namespace Actors.Node.Control;

/// <summary>
/// The JSON shape of a process's status, written by hand so the schema is explicit here (it is documented in
/// README.md and stable) and no reflection is needed.
/// </summary>
internal static class StatusJson
{
    public static void WriteProcess(Utf8JsonWriter w, ProcessSupervisor.ProcessStatus s, DateTimeOffset now)
    {
        w.WriteStartObject();
        w.WriteString("name", s.Name);
        if (string.IsNullOrEmpty(s.Description)) w.WriteNull("description");
        else w.WriteString("description", s.Description);
        w.WriteString("state", s.State.ToDisplay());
        WriteSecondsOrNull(w, "state-for-s", InStateFor(s, now));
        WriteNumberOrNull(w, "pid", s.Pid);
        WriteSecondsOrNull(w, "uptime-s", s.RunningSince is { } since ? now - since : null);
        w.WriteNumber("restarts", s.Restarts);
        w.WritePropertyName("last-exit");
        if (s.LastExit is { } exit)
        {
            w.WriteStartObject();
            WriteNumberOrNull(w, "code", exit.Code);
            if (exit.Signal is { } signal) w.WriteString("signal", "SIG" + Configuration.Signals.NameOf(signal));
            else w.WriteNull("signal");
            w.WriteEndObject();
        }
        else
        {
            w.WriteNullValue();
        }
        WriteSecondsOrNull(w, "next-start-in-s", s.NextStartAt is { } next ? Max(next - now, TimeSpan.Zero) : null);
        w.WriteString("reason", s.Reason);
        if (s.LogError is null) w.WriteNull("log-error");
        else w.WriteString("log-error", s.LogError);
        WriteLease(w, s.Lease);
        w.WriteString("kind", s.Kind.ToString().ToLowerInvariant());
        WriteReplica(w, s.Name, s.Replica);
        WriteProbes(w, s.Probes);
        WriteExec(w, s.Exec);
        w.WriteStartArray("trail");
        foreach (var t in s.Trail)
        {
            w.WriteStartObject();
            w.WriteString("at", Timestamp(t.At));
            w.WriteString("state", t.State.ToDisplay());
            w.WriteString("reason", t.Reason);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary><c>"exec"</c>: who the process runs as and within what; null when it runs as the node does.</summary>
    private static void WriteExec(Utf8JsonWriter w, Configuration.ExecSettings exec)
    {
        if (exec.IsNone)
        {
            w.WriteNull("exec");
            return;
        }
        w.WriteStartObject("exec");
        if (exec.User is null) w.WriteNull("user"); else w.WriteString("user", exec.User);
        WriteNumberOrNull(w, "uid", exec.Uid is { } uid ? (int)uid : null);
        if (exec.Group is null) w.WriteNull("group"); else w.WriteString("group", exec.Group);
        WriteNumberOrNull(w, "gid", exec.Gid is { } gid ? (int)gid : null);
        if (exec.Umask is { } umask) w.WriteString("umask", Convert.ToString(umask, 8).PadLeft(3, '0')); else w.WriteNull("umask");
        w.WriteStartObject("limits");
        foreach (var (name, limit) in exec.Limits()) w.WriteString(name, limit.ToString());
        w.WriteEndObject();
        WriteNumberOrNull(w, "nice", exec.Nice);
        WriteNumberOrNull(w, "oom-score-adjust", exec.OomScoreAdjust);
        w.WriteString("summary", exec.Describe());
        w.WriteEndObject();
    }

    /// <summary>
    /// How long the process has been in its current state (how long it has been waiting, say): since the first
    /// entry of the trail's last run of that state. Null when the trail no longer reaches back that far.
    /// </summary>
    private static TimeSpan? InStateFor(ProcessSupervisor.ProcessStatus s, DateTimeOffset now)
    {
        var i = s.Trail.Count - 1;
        if (i < 0 || s.Trail[i].State != s.State) return null;
        while (i > 0 && s.Trail[i - 1].State == s.State) i--;
        return Max(now - s.Trail[i].At, TimeSpan.Zero);
    }

    // Which copy of its declared process this is: {"of": "web", "index": 2, "count": 3}; the one copy of a process
    // without replicas is index 1 of 1 of itself.
    private static void WriteReplica(Utf8JsonWriter w, string name, Actors.Configuration.ReplicaSettings? replica)
    {
        w.WriteStartObject("replica");
        w.WriteString("of", replica?.Group ?? name);
        w.WriteNumber("index", replica?.Index ?? 1);
        w.WriteNumber("count", replica?.Count ?? 1);
        w.WriteEndObject();
    }

    private static void WriteLease(Utf8JsonWriter w, Actors.Leases.LeaseStatus? lease)
    {
        if (lease is null)
        {
            w.WriteNull("lease");
            return;
        }
        w.WriteStartObject("lease");
        w.WriteString("name", lease.Name);
        w.WriteBoolean("held", lease.Held);
        if (lease.Holder is null) w.WriteNull("holder");
        else w.WriteString("holder", lease.Holder);
        w.WriteNumber("token", lease.Token);
        WriteSecondsOrNull(w, "heartbeat-age-s", lease.HeartbeatAge);
        w.WriteEndObject();
    }

    private static void WriteProbes(Utf8JsonWriter w, IReadOnlyList<ProcessSupervisor.ProbeStatus> probes)
    {
        w.WriteStartArray("probes");
        foreach (var probe in probes)
        {
            w.WriteStartObject();
            w.WriteString("role", probe.Role.ToString().ToLowerInvariant());
            w.WriteString("type", probe.Type);
            if (probe.Passing is { } passing) w.WriteBoolean("passing", passing);
            else w.WriteNull("passing");
            if (probe.LastCheck is null) w.WriteNull("last-check");
            else w.WriteString("last-check", probe.LastCheck);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static void WriteNode(Utf8JsonWriter w, NodeInfo node, DateTimeOffset now)
    {
        w.WriteStartObject("node");
        w.WriteNumber("pid", node.Pid);
        WriteSecondsOrNull(w, "uptime-s", now - node.StartedAt);
        if (node.ConfigPath is null) w.WriteNull("config");
        else w.WriteString("config", node.ConfigPath);
        w.WriteString("version", node.Version);
        w.WriteString("socket", node.Socket);
        w.WriteString("state-dir", node.StateDir);
        if (node.Http is null) w.WriteNull("http");
        else w.WriteString("http", node.Http);
        if (node.Lock is { } held)
        {
            w.WriteStartObject("lock");
            w.WriteString("path", held.Path);
            w.WriteString("holder", $"pid {held.Self.Pid} on {held.Self.Host}");
            WriteSecondsOrNull(w, "heartbeat-age-s", now - held.Self.Heartbeat);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>UTC, milliseconds, ISO 8601: 2026-11-23T10:04:05.123Z.</summary>
    public static string Timestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void WriteNumberOrNull(Utf8JsonWriter w, string key, int? value)
    {
        if (value is { } v) w.WriteNumber(key, v);
        else w.WriteNull(key);
    }

    /// <summary>Seconds with millisecond precision.</summary>
    private static void WriteSecondsOrNull(Utf8JsonWriter w, string key, TimeSpan? span)
    {
        if (span is { } s) w.WriteNumber(key, Math.Round(s.TotalSeconds, 3));
        else w.WriteNull(key);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
