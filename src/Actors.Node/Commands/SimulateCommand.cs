using Actors.Node.Client;
using Actors.Node.Simulate;
using Actors.Supervision;
using Actors.TestKit;

namespace Actors.Node.Commands;

/// <summary>
/// <c>actors simulate CONFIG</c>: what the configuration's policy does over virtual time with scripted processes,
/// through the real supervisors (Actors.TestKit). Nothing is started and nothing is written.
/// </summary>
public static class SimulateCommand
{
    public const string Usage = """
        usage: actors simulate CONFIG [--for DUR] [--seed N] [--behave NAME="BEHAVIOUR"]... [--expect NAME=STATE]... [--json]

        Runs the supervision policy CONFIG declares (backoff, start limits, probes, timeouts, dependencies,
        leases) on virtual time, with every process replaced by a scripted behaviour; nothing is started.
        A day takes well under a second. The same seed prints the same output, byte for byte.

        options:
          --for DUR               how much virtual time to run. Default: 24h
          --seed N                the seed of backoff jitter and random behaviours. Default: 1
          --behave NAME="B"       what process NAME does (repeatable). Default: runs, ready at once
          --expect NAME=STATE     exit 1 unless NAME ends in STATE (running, ready, failed, backing-off,
                                  stopped, completed, waiting, starting, stopping); repeatable
          --json                  {"processes": [{"name", "starts", "restarts", "state", "reason", "trail"}]}
          -h, --help              print this text

        BEHAVIOUR: clauses joined with ", then" (each "after D" counted from the clause before):
          crash                         exits 1 at once
          exit N after D                exits with N (N,M,...: one code per run, the last repeats)
          exit N at random about every D  exponential uptime with mean D, from the seed
          killed by SIG after D         dies of signal SIG (KILL, SEGV, ...)
          hang after D                  stops answering probes (they time out); signals still work
          ready after D                 startup and readiness probes fail until then (and a ready-log-line comes then)
          stop heartbeating after D     heartbeat-file probes go stale from then
          ignore-term [for D]           ignores the stop signal (for D, then exits 0)
          fail K times then run         its first K starts crash
        DUR and D need a unit: 500ms, 40s, 2m, 1h, 1d.

        exit status: 0 done (and every --expect held); 1 an --expect failed; 2 CONFIG is invalid
        (its problems are printed as check-config prints them); 64 wrong usage.
        """;

    public static int Execute(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args is ["-h" or "--help"])
        {
            stdout.WriteLine(Usage);
            return ExitCodes.Ok;
        }
        SimulateOptions options;
        try
        {
            options = SimulateOptions.Parse(args);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"actors simulate: {e.Message}");
            return ExitCodes.Usage;
        }

        var result = ConfigSource.Load(options.Config);
        if (!result.IsValid)
        {
            ConfigSource.Report(result, stderr);
            stderr.WriteLine($"{options.Config}: {result.Errors.Count} problem(s); nothing simulated");
            return ExitCodes.InvalidConfig;
        }
        var declared = result.Settings!.Processes.Select(p => p.Name).ToList();
        // --behave NAME with replicas scripts every copy; --expect names one process (a copy: web-2).
        var groups = result.Settings.Processes.Select(p => p.Group).ToHashSet();
        var unknown = options.Behaviours.Where(b => !groups.Contains(b.Name)).Select(b => ("--behave", b.Name))
            .Concat(options.Expectations.Select(e => ("--expect", e.Name)))
            .FirstOrDefault(n => !declared.Contains(n.Name));
        if (unknown.Name is not null)
        {
            stderr.WriteLine($"actors simulate: {unknown.Item1} names '{unknown.Name}', which {options.Config} does not declare; " +
                (declared.Count == 0 ? "it declares no process" : $"declared: {string.Join(", ", declared)}"));
            return ExitCodes.Usage;
        }

        using var simulation = Simulation.FromSettings(result.Settings, options.Seed);
        foreach (var (name, _, behaviour) in options.Behaviours) simulation.Behave(name, behaviour);
        simulation.RunFor(options.For);
        var reports = simulation.Processes;

        if (options.Json) Timeline.WriteJson(stdout, reports);
        else
        {
            stdout.WriteLine($"simulated {Length(options.For)} of {options.Config}, seed {options.Seed}; " +
                "behaviours: " + (options.Behaviours.Count == 0 ? "none given (every process runs, ready at once)"
                    : string.Join("; ", options.Behaviours.Select(b => $"{b.Name}: {b.Behaviour}"))));
            stdout.WriteLine();
            stdout.WriteLine("timeline");
            stdout.Write(simulation.Timeline());
            stdout.WriteLine();
            stdout.WriteLine("summary");
            stdout.Write(Timeline.Summary(reports));
        }
        return Check(options, reports, options.Json ? stderr : stdout);
    }

    /// <summary>24h rather than 1440m: the largest whole unit.</summary>
    private static string Length(TimeSpan t) =>
        t.Ticks % TimeSpan.TicksPerDay == 0 ? $"{t.Ticks / TimeSpan.TicksPerDay}d"
        : t.Ticks % TimeSpan.TicksPerHour == 0 ? $"{t.Ticks / TimeSpan.TicksPerHour}h"
        : Configuration.HoconScalars.Format(t);

    /// <summary>Every --expect, one line each; 1 when any failed.</summary>
    private static int Check(SimulateOptions options, IReadOnlyList<ProcessReport> reports, TextWriter output)
    {
        if (options.Expectations.Count == 0) return ExitCodes.Ok;
        if (!options.Json) output.WriteLine();
        bool failed = false;
        foreach (var (name, state) in options.Expectations)
        {
            var report = reports.Single(r => r.Name == name);
            if (report.State == state)
            {
                if (!options.Json) output.WriteLine($"expect {name}={state.ToDisplay()}: ok");
                continue;
            }
            failed = true;
            output.WriteLine($"expect {name}={state.ToDisplay()}: FAILED, it is {report.State.ToDisplay()} ({report.Reason})");
        }
        return failed ? ExitCodes.Failure : ExitCodes.Ok;
    }
}
