using Actors.Configuration;
using Actors.Timeouts;

namespace Actors.Supervision;

/// <summary>
/// Probe verdicts. Probes start once the main process runs (startup alone first; liveness and readiness once it
/// passed) and stop when the run ends. A failing startup or liveness probe ends the run as a failure; readiness
/// moves the process between running and ready. The run is "up" (the start deadline is met) once it runs, its
/// startup probe passed and, with a readiness probe, it was ready once.
/// </summary>
internal sealed partial class ProcessLifecycle
{
    private void StartProbes(int pid)
    {
        if (S.Settings.Probes.Startup is { } startup) Do(new Effect.StartProbe(startup, S.Runs, pid));
        else StartRunProbes();
        CheckUp();
    }

    private void StartRunProbes()
    {
        var pid = S.Pid ?? 0;
        if (S.Settings.Probes.Liveness is { } liveness) Do(new Effect.StartProbe(liveness, S.Runs, pid));
        if (S.Settings.Probes.Readiness is { } readiness) Do(new Effect.StartProbe(readiness, S.Runs, pid));
        ApplyNotifiedReady(); // a READY=1 that came before the startup probe passed
    }

    private void StopProbes()
    {
        Do(new Effect.StopProbes());
        S = S with
        {
            ProbeDetail = S.ProbeDetail.Clear(),
            ProbePassing = S.ProbePassing.Clear(),
            StartupPassed = false,
            EverReady = false,
            NotifiedReady = false,
            Up = false,
        };
    }

    private void OnProbePassed(ProbeRole role, string detail)
    {
        if (!S.Live) return;
        S = S with { ProbePassing = S.ProbePassing.SetItem(role, true) };
        switch (role)
        {
            case ProbeRole.Startup:
                Do(new Effect.StopProbe(ProbeRole.Startup));
                S = S with { StartupPassed = true };
                Enter(ProcessState.Running, $"startup probe passed: {detail}");
                StartRunProbes();
                break;
            case ProbeRole.Readiness:
                S = S with { EverReady = true };
                Enter(ProcessState.Ready, $"readiness: {detail}");
                break;
        }
        CheckUp();
    }

    private void OnProbeFailed(ProbeRole role, string reason)
    {
        if (!S.Live) return;
        S = S with { ProbePassing = S.ProbePassing.SetItem(role, false) };
        if (role == ProbeRole.Readiness)
        {
            Enter(ProcessState.Running, (S.EverReady ? "not ready: readiness: " : "not ready yet: readiness: ") + reason);
            return;
        }
        // A hung process (even a SIGSTOPped one) answers no probe: the stop sends SIGCONT with the stop signal.
        EndRun($"{role.ToString().ToLowerInvariant()}: {reason}", timedOut: false);
    }

    /// <summary>Meets the start deadline once the run is up.</summary>
    private void CheckUp()
    {
        if (S.Up || !S.RunLive || S.Pid is null) return;
        if (S.Settings.Probes.Startup is not null && !S.StartupPassed) return;
        if (S.Settings.HasReadinessCheck && !S.EverReady) return;
        S = S with { Up = true };
        Do(new Effect.DisarmDeadline(Deadline.Start));
    }

    /// <summary>What a run that is not up yet waits for, for the start timeout's reason.</summary>
    private string NotUpBecause()
    {
        if (S.Pid is null) return "its process has not started";
        if (S.Settings.Probes.Startup is not null && !S.StartupPassed)
            return "the startup probe has not passed" + LastCheck(ProbeRole.Startup);
        if (S.Settings.ReadyLogLine is { } line)
            return $"no line of its output matched ready-log-line \"{line.Pattern}\"";
        return "it was never ready" + LastCheck(ProbeRole.Readiness);
    }

    private string LastCheck(ProbeRole role) => S.ProbeDetail.TryGetValue(role, out var detail) ? $"; last check: {detail}" : "";

    /// <summary>The declared probes and how the current run's checks went, for a status.</summary>
    internal static IReadOnlyList<ProcessSupervisor.ProbeStatus> ProbesView(LifecycleState s)
    {
        var view = s.Settings.Probes.All
            .Select(p => new ProcessSupervisor.ProbeStatus(p.Role, p.Target.TypeName,
                // The startup probe is stopped once it passed; it stays "passing" for the rest of the run.
                p.Role == ProbeRole.Startup && s.StartupPassed ? true : s.ProbePassing.TryGetValue(p.Role, out var passing) ? passing : null,
                s.ProbeDetail.GetValueOrDefault(p.Role)))
            .ToList();
        // readiness = notify shows as the readiness check it is: passing once READY=1 came, with the last STATUS=.
        if (s.Settings.Readiness == ReadinessSource.Notify)
            view.Add(new ProcessSupervisor.ProbeStatus(ProbeRole.Readiness, "notify", s.RunLive && s.EverReady ? true : null,
                s.ProbeDetail.GetValueOrDefault(ProbeRole.Readiness)));
        // ready-log-line too: passing once the run wrote the line, which is its last-check.
        if (s.Settings.ReadyLogLine is not null)
            view.Add(new ProcessSupervisor.ProbeStatus(ProbeRole.Readiness, "log-line", s.RunLive && s.EverReady ? true : null,
                s.RunLive ? s.ProbeDetail.GetValueOrDefault(ProbeRole.Readiness) : null));
        return view;
    }
}
