using System.Globalization;
using Actors.Configuration;

namespace Actors.Probes;

/// <summary>
/// <c>type = heartbeat-file</c>: the process touches a file while it works; the check passes while the file's
/// modification time is at most <c>max-age</c> old. A missing file fails ("no heartbeat file PATH yet").
/// </summary>
/// <param name="now">The wall clock (file times are wall-clock times); a parameter so tests can set it.</param>
internal sealed class HeartbeatFileProbeCheck(string path, TimeSpan maxAge, Func<DateTimeOffset> now) : IProbeCheck
{
    public Task<ProbeOutcome> RunAsync(CancellationToken cancellationToken)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
            return Task.FromResult(ProbeOutcome.Fail($"no heartbeat file {path} yet"));

        // A modification time in the future (clock stepped back) counts as fresh rather than failing forever.
        var age = now() - new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
        if (age < TimeSpan.Zero)
            age = TimeSpan.Zero;
        var detail = $"heartbeat {Age(age)} old, max-age {HoconScalars.Format(maxAge)}";
        return Task.FromResult(new ProbeOutcome(age <= maxAge, detail));
    }

    /// <summary>"42s", "1.5s", "250ms", "3m12s": precise enough to compare with the max-age at a glance.</summary>
    internal static string Age(TimeSpan age) => age switch
    {
        { TotalSeconds: < 1 } => $"{(int)age.TotalMilliseconds}ms",
        { TotalSeconds: < 10 } => (Math.Floor(age.TotalSeconds * 10) / 10).ToString("0.#", CultureInfo.InvariantCulture) + "s",
        { TotalMinutes: < 1 } => $"{(int)age.TotalSeconds}s",
        { TotalHours: < 1 } => $"{(int)age.TotalMinutes}m{age.Seconds}s",
        _ => $"{(int)age.TotalHours}h{age.Minutes}m",
    };
}
