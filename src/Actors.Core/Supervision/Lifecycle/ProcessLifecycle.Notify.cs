using Actors.Configuration;

namespace Actors.Supervision;

/// <summary>
/// <c>readiness = notify</c>: the run says it is ready, in systemd's notify protocol, on the NOTIFY_SOCKET it was
/// given. READY=1 makes it ready (once its startup probe passed, if it has one), for the rest of the run: as under
/// systemd, there is no "not ready" message. STATUS= is kept as the readiness check's last detail.
/// </summary>
internal sealed partial class ProcessLifecycle
{
    private void OnNotified(string message)
    {
        if (S.Settings.Readiness != ReadinessSource.Notify || !S.RunLive) return;
        var lines = message.Split('\n');
        var status = lines.LastOrDefault(l => l.StartsWith("STATUS=", StringComparison.Ordinal))?["STATUS=".Length..];
        if (status is not null) S = S with { ProbeDetail = S.ProbeDetail.SetItem(ProbeRole.Readiness, status) };
        if (!lines.Contains("READY=1") || S.NotifiedReady) return;
        S = S with { NotifiedReady = true };
        if (status is null) S = S with { ProbeDetail = S.ProbeDetail.SetItem(ProbeRole.Readiness, "READY=1") };
        ApplyNotifiedReady();
    }

    /// <summary>
    /// Ready, when READY=1 (or the ready-log-line, <c>ProcessLifecycle.LogLine.cs</c>) came and the run is past its
    /// startup probe (it runs, pid known).
    /// </summary>
    private void ApplyNotifiedReady()
    {
        if (!S.NotifiedReady || S.EverReady || S.State != ProcessState.Running || S.Pid is null) return;
        if (S.Settings.Probes.Startup is not null && !S.StartupPassed) return;
        S = S with { EverReady = true, ProbePassing = S.ProbePassing.SetItem(ProbeRole.Readiness, true) };
        var detail = S.ProbeDetail.GetValueOrDefault(ProbeRole.Readiness);
        Enter(ProcessState.Ready, S.Settings.ReadyLogLine is not null ? $"ready-log-line: {detail}"
            : detail is null or "READY=1" ? "readiness: READY=1" : $"readiness: READY=1 ({detail})");
        CheckUp();
    }
}
