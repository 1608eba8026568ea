namespace Actors.Configuration;

/// <summary>Linux signal names and numbers (x86_64 / generic numbering, as <c>kill -l</c> prints them).</summary>
public static class Signals
{
    private static readonly string[] Names =
    [
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
        "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
        "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];

    private static readonly Dictionary<string, int> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["IOT"] = 6, ["CLD"] = 17, ["POLL"] = 29,
    };

    public const int Max = 64;

    /// <summary>Accepts TERM, SIGTERM, term, or a number 1..64.</summary>
    public static bool TryParse(string text, out int number)
    {
        var t = text.Trim();
        if (int.TryParse(t, out number))
            return number is >= 1 and <= Max;
        if (t.StartsWith("SIG", StringComparison.OrdinalIgnoreCase))
            t = t[3..];
        number = Array.FindIndex(Names, n => n.Length > 0 && string.Equals(n, t, StringComparison.OrdinalIgnoreCase));
        if (number > 0)
            return true;
        return Aliases.TryGetValue(t, out number);
    }

    /// <summary>The canonical name without "SIG": 15 → "TERM"; real-time signals as kill -l names them.</summary>
    public static string NameOf(int number) => number switch
    {
        > 0 and < 32 => Names[number],
        34 => "RTMIN",
        64 => "RTMAX",
        > 34 and <= 49 => $"RTMIN+{number - 34}",
        > 49 and < 64 => $"RTMAX-{64 - number}",
        _ => number.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
