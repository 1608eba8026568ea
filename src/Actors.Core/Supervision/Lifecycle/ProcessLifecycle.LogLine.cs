using Actors.Configuration;

namespace Actors.Supervision;

/// <summary>
/// <c>ready-log-line</c>: the run says it is ready by writing a line that matches, as a notify process says it
/// with READY=1, and it is handled the same way (<see cref="ApplyNotifiedReady"/>): ready once its startup probe
/// passed, if it has one, for the rest of the run. Each run is watched for its own line (the actor arms the log's
/// watch at every launch and drops what an earlier run's watch reports).
/// </summary>
internal sealed partial class ProcessLifecycle
{
    /// <summary>The longest part of the matching line kept for the reason and the status.</summary>
    internal const int MatchedLineShown = 200;

    private void OnLogLineMatched(string line)
    {
        if (S.Settings.ReadyLogLine is null || !S.RunLive || S.NotifiedReady) return;
        var shown = line.Length > MatchedLineShown ? line[..MatchedLineShown] + "…" : line;
        S = S with { NotifiedReady = true, ProbeDetail = S.ProbeDetail.SetItem(ProbeRole.Readiness, shown) };
        ApplyNotifiedReady();
    }
}
