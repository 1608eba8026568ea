using Akka.Actor;
using Actors.Configuration;
using Actors.Scheduling;
using Actors.Supervision;

namespace Actors.Probes;

/// <summary>
/// Protocol of a probe actor (<c>probe-startup</c>, <c>probe-liveness</c>, <c>probe-readiness</c>, children of
/// a ProcessSupervisor): it runs its check on the scheduler's time (first after the initial delay, then once per
/// period, never two at a time), bounds each check by the timeout, counts consecutive results against the
/// thresholds and reports to its parent. It never touches the process: the supervisor decides what a result means.
/// A probe lives for one run of the process; the supervisor creates it once the run is up and stops it with the run.
/// </summary>
public static class HealthProbe
{
    /// <param name="check">What one check does; see <see cref="ProbeChecks.Create"/> for the real ones.</param>
    /// <param name="clock">Measures how long a stuck check has been running; null: the scheduler's (<see cref="PolicyClock.Of"/>).</param>
    public static Props Props(ProbeSettings settings, IProbeCheck check, PolicyClock? clock = null) =>
        FactoryProps.Of(() => new HealthProbeActor(settings, check, clock));

    /// <summary>The child name of a probe of <paramref name="role"/>: probe-startup, probe-liveness, probe-readiness.</summary>
    public static string ChildName(ProbeRole role) => $"probe-{role.ToString().ToLowerInvariant()}";

    /// <summary>Every check's result, for status and for reasons ("not ready within 30s; readiness: connection refused").</summary>
    public sealed record ProbeChecked(ProbeRole Role, bool Passed, string Detail);

    /// <summary>success-threshold consecutive passes, reported when the probe was not passing before (unknown or failed).</summary>
    public sealed record ProbePassed(ProbeRole Role, string Detail);

    /// <summary>
    /// failure-threshold consecutive failures, reported when the probe was not failing before (unknown or passed).
    /// <paramref name="Reason"/> is the last failure's detail with the count, e.g. "connection refused (3 in a row)".
    /// </summary>
    public sealed record ProbeFailed(ProbeRole Role, string Reason);
}

/// <summary>
/// One check of a probe. Implementations must honour the token: the probe cancels it at the timeout (and when it
/// stops), reports "timed out after …" itself and ignores whatever the cancelled check still returns or throws.
/// The probe calls it on the thread pool, never two at a time: the next check starts only once the returned task
/// has ended, so a check that ignores the token blocks its probe (reported as "check stuck for …") until it ends.
/// </summary>
public interface IProbeCheck
{
    /// <summary>
    /// Runs the check once; a failed check returns <see cref="ProbeOutcome.Fail"/> with a short detail. Throwing is
    /// allowed (on cancellation, or for the unexpected): the probe counts an exception as a failure with its message.
    /// </summary>
    Task<ProbeOutcome> RunAsync(CancellationToken cancellationToken);

    /// <summary>
    /// True (the default) for a check whose start may block its caller (fork and exec, a stat on a dead mount): the
    /// probe starts it on the thread pool. A simulated check that answers at once says false, and the probe runs it
    /// on its own thread, so that on virtual time its result is handled within the same turn as the tick.
    /// </summary>
    bool MayBlock => true;
}

/// <summary>The result of one check: passed or not, and a short detail a person reads ("HTTP 503", "exit code 1").</summary>
public sealed record ProbeOutcome(bool Passed, string Detail)
{
    public static ProbeOutcome Pass(string detail) => new(true, detail);
    public static ProbeOutcome Fail(string detail) => new(false, detail);
}

/// <summary>What a real check needs of the process it checks: its folder and environment (exec probes) and its main pid.</summary>
public sealed record ProbeContext(string WorkingDir, IReadOnlyList<string> Environment, int Pid)
{
    /// <summary>The process's exec shim options (user, limits...): an exec probe runs as the process does. Null: as the node.</summary>
    public IReadOnlyList<string>? ShimOptions { get; init; }
}
