using Akka.Configuration;
using Actors.Configuration;

namespace Actors.Hosting;

/// <summary>
/// Turns the HOCON and the typed options of <c>WithProcessSupervision</c> into settings through the reader
/// <c>actors check-config</c> uses: the same keys, defaults and checks, every problem reported at once.
/// </summary>
internal static class SupervisionConfig
{
    /// <exception cref="ProcessSupervisionConfigException">Anything wrong, every problem listed.</exception>
    public static ActorsSettings Read(string hocon, ProcessSupervisionOptions options)
    {
        var problems = DeclaredTwice(hocon, options).ToList();
        // The options go after the HOCON, so the node settings set in code win; processes cannot collide (above).
        var text = hocon + "\n" + options.ToHocon();
        var result = ConfigLoader.LoadText(text, null, options.BaseDirectory ?? Environment.CurrentDirectory);
        problems.AddRange(result.Errors.Select(e => e.ToString()));
        if (problems.Count > 0 || result.Settings is null) throw new ProcessSupervisionConfigException(problems);
        return result.Settings;
    }

    private static IEnumerable<string> DeclaredTwice(string hocon, ProcessSupervisionOptions options)
    {
        var inCode = options.Processes.GroupBy(p => p.Name, StringComparer.Ordinal).ToList();
        foreach (var twice in inCode.Where(g => g.Count() > 1))
            yield return $"actors.processes.{twice.Key}: declared twice in ProcessSupervisionOptions.Processes";
        foreach (var name in inCode.Select(g => g.Key).Where(HoconNames(hocon).Contains))
            yield return $"actors.processes.{name}: declared twice, in the HOCON and in ProcessSupervisionOptions.Processes; keep one";
    }

    // Text the parser rejects declares nothing here: the reader reports what is wrong with it.
    private static HashSet<string> HoconNames(string hocon)
    {
        try
        {
            var processes = ConfigurationFactory.ParseString(hocon).GetConfig("actors.processes");
            return processes?.Root?.IsObject() == true
                ? processes.Root.GetObject().Items.Keys.ToHashSet(StringComparer.Ordinal)
                : [];
        }
        catch (Exception)
        {
            return [];
        }
    }
}
