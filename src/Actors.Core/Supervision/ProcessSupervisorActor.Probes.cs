using Akka.Actor;
using Actors.Configuration;
using Actors.Probes;
using Actors.Timeouts;

namespace Actors.Supervision;

/// <summary>
/// The probes of a run: created once the main process runs (startup alone first; liveness and readiness once it
/// passed), stopped when the run ends. A failing startup or liveness probe ends the run as a failure; readiness
/// moves the process between running and ready. The run is "up" (the start deadline is met) once it runs, its
/// startup probe passed and, with a readiness probe, it was ready once.
/// </summary>
internal sealed partial class ProcessSupervisorActor
{
    private readonly Dictionary<ProbeRole, IActorRef> _probes = new();
    private readonly Dictionary<ProbeRole, string> _probeDetail = new();
    private readonly Dictionary<ProbeRole, bool> _probePassing = new();
    private bool _startupPassed, _everReady, _up;
    private int? _probedPid;

    private void ReceiveProbes()
    {
        Receive<HealthProbe.ProbeChecked>(m =>
        {
            if (IsCurrentProbe(m.Role)) _probeDetail[m.Role] = m.Detail;
        });
        Receive<HealthProbe.ProbePassed>(OnProbePassed);
        Receive<HealthProbe.ProbeFailed>(OnProbeFailed);
    }

    private bool IsCurrentProbe(ProbeRole role) => _probes.TryGetValue(role, out var probe) && probe.Equals(Sender);

    private void StartProbes(int pid)
    {
        _probedPid = pid;
        if (_settings.Probes.Startup is { } startup) CreateProbe(startup);
        else CreateRunProbes();
        CheckUp();
    }

    private void CreateRunProbes()
    {
        if (_settings.Probes.Liveness is { } liveness) CreateProbe(liveness);
        if (_settings.Probes.Readiness is { } readiness) CreateProbe(readiness);
    }

    private void CreateProbe(ProbeSettings probe)
    {
        var context = new ProbeContext(_runSpec.WorkingDir, _runSpec.Environment, _probedPid ?? 0);
        var check = _options.ProbeChecks(probe, context);
        // Named per run: the previous run's probe may not have stopped yet.
        _probes[probe.Role] = Context.ActorOf(HealthProbe.Props(probe, check, _clock), $"{HealthProbe.ChildName(probe.Role)}-{_runs}");
    }

    private void StopProbes()
    {
        foreach (var probe in _probes.Values) Context.Stop(probe);
        _probes.Clear();
        _probeDetail.Clear();
        _probePassing.Clear();
        _startupPassed = _everReady = _up = false;
        _probedPid = null;
    }

    private bool Live => _state is ProcessState.Running or ProcessState.Ready;

    private void OnProbePassed(HealthProbe.ProbePassed m)
    {
        if (!IsCurrentProbe(m.Role) || !Live) return;
        _probePassing[m.Role] = true;
        switch (m.Role)
        {
            case ProbeRole.Startup:
                Context.Stop(_probes[ProbeRole.Startup]);
                _probes.Remove(ProbeRole.Startup);
                _startupPassed = true;
                Enter(ProcessState.Running, $"startup probe passed: {m.Detail}");
                CreateRunProbes();
                break;
            case ProbeRole.Readiness:
                _everReady = true;
                Enter(ProcessState.Ready, $"readiness: {m.Detail}");
                break;
        }
        CheckUp();
    }

    private void OnProbeFailed(HealthProbe.ProbeFailed m)
    {
        if (!IsCurrentProbe(m.Role) || !Live) return;
        _probePassing[m.Role] = false;
        if (m.Role == ProbeRole.Readiness)
        {
            Enter(ProcessState.Running, (_everReady ? "not ready: readiness: " : "not ready yet: readiness: ") + m.Reason);
            return;
        }
        // A hung process (even a SIGSTOPped one) answers no probe: the stop sends SIGCONT with the stop signal.
        EndRun($"{m.Role.ToString().ToLowerInvariant()}: {m.Reason}", timedOut: false);
    }

    /// <summary>Meets the start deadline once the run is up.</summary>
    private void CheckUp()
    {
        if (_up || _runner is null || _pid is null) return;
        if (_settings.Probes.Startup is not null && !_startupPassed) return;
        if (_settings.Probes.Readiness is not null && !_everReady) return;
        _up = true;
        _guard.Tell(new TimeoutGuard.Disarm(Deadline.Start));
    }

    /// <summary>What a run that is not up yet waits for, for the start timeout's reason.</summary>
    private string NotUpBecause()
    {
        if (_pid is null) return "its process has not started";
        if (_settings.Probes.Startup is not null && !_startupPassed)
            return "the startup probe has not passed" + LastCheck(ProbeRole.Startup);
        return "it was never ready" + LastCheck(ProbeRole.Readiness);
    }

    private IReadOnlyList<ProcessSupervisor.ProbeStatus> ProbesView() => _settings.Probes.All
        .Select(p => new ProcessSupervisor.ProbeStatus(p.Role, p.Target.TypeName,
            // The startup probe is stopped once it passed; it stays "passing" for the rest of the run.
            p.Role == ProbeRole.Startup && _startupPassed ? true : _probePassing.TryGetValue(p.Role, out var passing) ? passing : null,
            _probeDetail.GetValueOrDefault(p.Role)))
        .ToList();

    private string LastCheck(ProbeRole role) => _probeDetail.TryGetValue(role, out var detail) ? $"; last check: {detail}" : "";
}
