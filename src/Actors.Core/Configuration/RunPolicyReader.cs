namespace Actors.Configuration;

/// <summary>How a process's runs are judged: readiness, kind, exit-code classes, retry, timeouts and depends-on. Probes are in ProbeReader.cs.</summary>
internal sealed class RunPolicyReader(LayeredReader r)
{
    private Diagnostics D => r.Diagnostics;

    private const string ExitCodeHint = "3, 75";

    /// <summary><c>readiness = probe | notify</c>; notify with a readiness probe as well is an error: one source decides.</summary>
    public ReadinessSource ReadReadiness()
    {
        var read = r.Scalar<ReadinessSource>("readiness", TryReadiness, "a readiness source",
            "use probe (the readiness probe, if any, decides) or notify (READY=1 on $NOTIFY_SOCKET decides)");
        if (read.Value == ReadinessSource.Notify && r.String("probes.readiness.type").Value.Trim().Length > 0)
            D.Error(read.Path, "notify cannot be combined with a readiness probe: remove probes.readiness, or set readiness = probe");
        return read.Value;

        static bool TryReadiness(string text, out ReadinessSource value)
        {
            (var ok, value) = text.Trim().ToLowerInvariant() switch
            {
                "probe" => (true, ReadinessSource.Probe),
                "notify" => (true, ReadinessSource.Notify),
                _ => (false, ReadinessSource.Probe),
            };
            return ok;
        }
    }

    public ProcessKind ReadKind()
    {
        return r.Scalar<ProcessKind>("kind", TryKind, "a kind", "use service (runs until stopped) or job (runs to completion)").Value;

        static bool TryKind(string text, out ProcessKind kind)
        {
            (var ok, kind) = text.Trim().ToLowerInvariant() switch
            {
                "service" => (true, ProcessKind.Service),
                "job" => (true, ProcessKind.Job),
                _ => (false, ProcessKind.Service),
            };
            return ok;
        }
    }

    /// <summary>
    /// A job's restart defaults to on-failure, also over a restart set in actors.defaults (written for the
    /// services); always in the job's own block would run it forever, so it is refused.
    /// </summary>
    public RestartPolicy RestartFor(ProcessKind kind, Read<RestartPolicy> restart)
    {
        if (kind != ProcessKind.Job) return restart.Value;
        if (!restart.Path.StartsWith("actors.processes.", StringComparison.Ordinal)) return RestartPolicy.OnFailure;
        if (restart.Value == RestartPolicy.Always)
            D.Error(restart.Path, "always is not allowed for kind = job: a job runs to completion; use on-failure (retry transient failures) or never, or make it kind = service");
        return restart.Value;
    }

    /// <summary>
    /// The transient and permanent lists: the preset's, then the user's on top (a code the user lists moves to
    /// the user's class). A code in two of the user's lists, or a success code listed as a failure, is an error.
    /// </summary>
    public (IReadOnlySet<int> Transient, IReadOnlySet<int> Permanent, string? Preset) ReadExitClasses(IReadOnlySet<int> success)
    {
        var preset = r.String("retry.preset");
        var transient = r.List<int>("transient-exit-codes", TryFailureCode, "an exit code 1..255", ExitCodeHint);
        var permanent = r.List<int>("permanent-exit-codes", TryFailureCode, "an exit code 1..255", ExitCodeHint);
        foreach (var code in transient.Value.Intersect(permanent.Value))
            D.Error(permanent.Path, $"{code} is also in transient-exit-codes; a code is either worth retrying or not, so keep it in one list");
        foreach (var code in success.Intersect(transient.Value.Concat(permanent.Value)))
            D.Error(transient.Value.Contains(code) ? transient.Path : permanent.Path,
                $"{code} is in success-exit-codes, so it never counts as a failure; remove it from one of the lists");

        var presetTransient = new HashSet<int>();
        var presetPermanent = new HashSet<int>();
        string? presetName = null;
        if (preset.Value.Trim().Length > 0)
        {
            presetName = preset.Value.Trim().ToLowerInvariant();
            if (RetryPresets.TryGet(presetName, out var t, out var p))
            {
                presetTransient.UnionWith(t);
                presetPermanent.UnionWith(p);
            }
            else
            {
                D.Error(preset.Path, $"\"{preset.Value}\" is not a known preset; use one of {string.Join(", ", RetryPresets.Names)}, or \"\" and list the codes in transient-exit-codes and permanent-exit-codes");
                presetName = null;
            }
        }
        // The user's lists win over the preset's; success codes are never failures.
        presetTransient.ExceptWith(permanent.Value);
        presetPermanent.ExceptWith(transient.Value);
        presetTransient.UnionWith(transient.Value);
        presetPermanent.UnionWith(permanent.Value);
        presetTransient.ExceptWith(success);
        presetPermanent.ExceptWith(success);
        return (presetTransient, presetPermanent, presetName);

        static bool TryFailureCode(string text, out int value) => HoconScalars.TryInt(text, out value) && value is >= 1 and <= 255;
    }

    public RetrySettings ReadRetry(BackoffSettings backoff, string? preset)
    {
        var attempts = r.Int("retry.max-attempts");
        var budget = OptionalPositiveDuration("retry.budget");
        var range = r.String("retry.backoff");
        if (attempts.Value < 1)
            D.Error(attempts.Path, $"{attempts.Value} is out of range; use 1 (no retry) or more attempts in all");
        BackoffSettings? retryBackoff = null;
        if (range.Value.Trim().Length > 0)
        {
            if (HoconScalars.TryDurationRange(range.Value, out var min, out var max))
                retryBackoff = backoff with { Min = min, Max = max };
            else
                D.Error(range.Path, $"\"{range.Value}\" is not a delay range; use MIN..MAX with MIN above 0 and MAX at least MIN, e.g. \"1s..30s\", or \"\" to use the backoff block");
        }
        return new RetrySettings(attempts.Value, budget, retryBackoff, preset);
    }

    public ProcessTimeouts ReadTimeouts() => new(OptionalPositiveDuration("timeout.start"), OptionalPositiveDuration("timeout.run"));

    /// <summary>off, or a duration above 0: zero would fire at once, which nobody means.</summary>
    public TimeSpan? OptionalPositiveDuration(string key)
    {
        var value = r.Scalar<TimeSpan?>(key, HoconScalars.TryOptionalDuration, "a duration or off", HoconScalars.OptionalDurationHint);
        if (value.Value is { } duration && duration <= TimeSpan.Zero)
        {
            D.Error(value.Path, $"{HoconScalars.Format(duration)} is out of range; {HoconScalars.OptionalDurationHint}");
            return null;
        }
        return value.Value;
    }

    /// <summary>NAME = started | ready | completed | exited. Whether NAME exists, and cycles, are checked across all processes.</summary>
    public IReadOnlyList<Dependency> ReadDependsOn()
    {
        var dependencies = new List<Dependency>();
        foreach (var (name, value, path) in r.MergedObject("depends-on"))
        {
            var text = LayeredReader.IsScalar(value) ? value.GetString()?.Trim().ToLowerInvariant() : null;
            DependencyCondition? condition = text switch
            {
                "started" => DependencyCondition.Started,
                "ready" => DependencyCondition.Ready,
                "completed" => DependencyCondition.Completed,
                "exited" => DependencyCondition.Exited,
                _ => null,
            };
            if (condition is { } c)
                dependencies.Add(new Dependency(name, c));
            else
                D.Error(path, $"{(text is null ? LayeredReader.Describe(value) : $"\"{text}\"")} is not a condition; use started, ready, completed or exited, e.g. depends-on {{ {name} = ready }}");
        }
        return dependencies;
    }
}
