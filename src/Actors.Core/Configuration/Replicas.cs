using System.Globalization;

namespace Actors.Configuration;

/// <summary>
/// <c>replicas = N</c>: a declared process becomes N supervised processes, <c>NAME-1</c> … <c>NAME-N</c> (zero-padded
/// to the width of N: <c>web-01</c> … <c>web-10</c>), each with its own log, pid and trail. One copy keeps the plain
/// name. Used by the config reader (the declared count), <c>actors scale</c> and reloads (a new count).
/// </summary>
public static class Replicas
{
    /// <summary>
    /// The most copies of one process. Each copy is a supervised process with its own log file, pipe and actors:
    /// a typo such as <c>replicas = 10000</c> would start that many at once and take the machine's pids and file
    /// descriptors; this many copies of one program belong on several nodes.
    /// </summary>
    public const int Max = 1000;

    /// <summary>Why COUNT is not a count a process can have, or null: shared by the API and the CLI (actors scale).</summary>
    public static string? ScaleRefusal(string name, int count) => count switch
    {
        < 0 => $"a count of {count} is not a number of copies; give 1 to {Max}",
        0 => $"scaling {name} to 0 would leave it no copy; to stop every replica of it, use 'actors stop {name}' (and 'actors start {name}' to bring them back)",
        > Max => $"{count} copies are more than the {Max} one process may have; give 1 to {Max}",
        _ => null,
    };

    /// <summary>The digits of <paramref name="count"/>: the width replica numbers are padded to.</summary>
    public static int WidthOf(int count) => count.ToString(CultureInfo.InvariantCulture).Length;

    /// <summary>
    /// The copies of a process as declared: with <paramref name="count"/> 1, the process under its own name; else
    /// <c>NAME-i</c> for i in 1..count, each logging to <c>LOG-DIR/NAME-i.log</c> unless its log.file is set.
    /// </summary>
    public static IReadOnlyList<ProcessSettings> Expand(ProcessSettings declared, int count, string? logDir)
    {
        var replica = new ReplicaSettings(declared.Name, 1, count, WidthOf(count), Plain: count == 1, logDir);
        return Copies(declared, replica, count);
    }

    /// <summary>
    /// Copies 1..<paramref name="count"/> of the group <paramref name="template"/> belongs to, built from its
    /// settings and named the way <paramref name="current"/> (the group's copies now) are named, so no running copy
    /// is renamed: a plain <c>web</c> scaled to 3 stays <c>web</c> beside <c>web-2</c> and <c>web-3</c>, and
    /// <c>web-1</c> … <c>web-9</c> scaled to 12 gain <c>web-10</c> … <c>web-12</c>.
    /// </summary>
    public static IReadOnlyList<ProcessSettings> Rescale(ProcessSettings template, IReadOnlyList<ProcessSettings> current, int count)
    {
        var declared = template.Replica ?? Implicit(template);
        if (current.Count == 0)
            return Copies(template, declared, count);
        var plain = current[0].Replica?.Plain ?? true;
        // Padding is kept while a suffixed copy runs (renaming it would restart it); otherwise it fits the new count.
        var width = current.FirstOrDefault(c => c.Replica is { } r && !(r.Plain && r.Index == 1))?.Replica?.Width ?? WidthOf(count);
        return Copies(template, declared with { Plain = plain, Width = width }, count);
    }

    /// <summary>Why the process cannot have more than one copy, or null when it can.</summary>
    public static string? WhyNotScalable(ProcessSettings process)
    {
        if (process.Kind == ProcessKind.Job)
            return $"{process.Group} is a job (kind = job): its copies run to completion once, so there is no count to keep running; " +
                   $"set replicas in the configuration and reload, or run it again with 'actors start {process.Group}'";
        var replica = process.Replica ?? Implicit(process);
        if (replica.LogDir is null && process.Log.File != "/dev/null")
            return $"{process.Group} sets its own log.file ({process.Log.File}), which copies cannot share; " +
                   $"remove log.file so that each copy logs to NAME-i.log in the log-dir, then reload";
        return null;
    }

    private static IReadOnlyList<ProcessSettings> Copies(ProcessSettings template, ReplicaSettings replica, int count)
    {
        var copies = new List<ProcessSettings>(count);
        for (var i = 1; i <= count; i++)
        {
            var name = replica.NameOf(i);
            copies.Add(template with
            {
                Name = name,
                Replica = replica with { Index = i, Count = count },
                Log = replica.LogDir is { } dir ? template.Log with { File = Path.Combine(dir, name + ".log") } : template.Log,
            });
        }
        return copies;
    }

    // A process built in code without replica settings: the only copy of itself; its log is a default one when it
    // is NAME.log somewhere.
    private static ReplicaSettings Implicit(ProcessSettings process) =>
        new(process.Name, 1, 1, 1, Plain: true,
            Path.GetFileName(process.Log.File) == process.Name + ".log" ? Path.GetDirectoryName(process.Log.File) : null);
}
