using System.Globalization;
using System.Text.RegularExpressions;
using Actors.Configuration;

namespace Actors.TestKit;

/// <summary>
/// The small language of <c>actors simulate --behave NAME="..."</c>: clauses joined with <c>, then</c>, each
/// "after D" counted from the clause before. Durations need a unit (500ms, 40s, 2m, 1h, 1d), as in the config.
/// </summary>
internal static partial class BehaviourGrammar
{
    public const string Known =
        "crash, exit N after D, exit N,M,... after D, exit N at random about every D, killed by SIG after D, hang after D, " +
        "ready after D, stop heartbeating after D, ignore-term [for D], fail K times [then run], run; joined with \", then\"";

    [GeneratedRegex(@",\s*then\s+", RegexOptions.IgnoreCase)]
    private static partial Regex ThenSeparator();

    [GeneratedRegex(@"^(?:run|runs|run forever|runs forever)$")]
    private static partial Regex Run();

    [GeneratedRegex(@"^crash(?:es)?$")]
    private static partial Regex Crash();

    [GeneratedRegex(@"^exits? (\S+?) after (\S+)$")]
    private static partial Regex Exit();

    [GeneratedRegex(@"^exits? (\S+?) at random about every (\S+)$")]
    private static partial Regex RandomExit();

    [GeneratedRegex(@"^(?:killed|is killed) by (\S+) after (\S+)$")]
    private static partial Regex Killed();

    [GeneratedRegex(@"^hangs? after (\S+)$")]
    private static partial Regex Hang();

    [GeneratedRegex(@"^(?:ready|is ready|becomes ready) after (\S+)$")]
    private static partial Regex Ready();

    [GeneratedRegex(@"^stops? heartbeating after (\S+)$")]
    private static partial Regex StopHeartbeat();

    [GeneratedRegex(@"^ignores?-term(?: for (\S+))?$")]
    private static partial Regex IgnoreTerm();

    [GeneratedRegex(@"^fails? (\S+) times?(?: then run)?$")]
    private static partial Regex Fail();

    public static Behaviour Parse(string text)
    {
        var clauses = ThenSeparator().Split(text.Trim());
        if (clauses.All(string.IsNullOrWhiteSpace)) throw new FormatException($"an empty behaviour; write one of: {Known}");
        var behaviour = Behaviour.RunsForever();
        foreach (var raw in clauses)
        {
            var clause = Regex.Replace(raw.Trim(), @"\s+", " ").ToLowerInvariant();
            var next = Clause(clause);
            try
            {
                behaviour = behaviour.Then(next);
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"'{raw.Trim()}' cannot come here: {e.Message.Split(" (Parameter")[0]}");
            }
        }
        return behaviour;
    }

    private static Behaviour Clause(string c)
    {
        if (c.Length == 0) throw new FormatException($"an empty clause between ', then'; write one of: {Known}");
        if (Run().IsMatch(c)) return Behaviour.RunsForever();
        if (Crash().IsMatch(c)) return Behaviour.Crashes();
        if (RandomExit().Match(c) is { Success: true } random)
            return Behaviour.ExitsRandomly(Duration(random.Groups[2].Value, c), Codes(random.Groups[1].Value, c));
        if (Exit().Match(c) is { Success: true } exit)
            return Behaviour.ExitsWith(Codes(exit.Groups[1].Value, c), Duration(exit.Groups[2].Value, c));
        if (Killed().Match(c) is { Success: true } killed)
        {
            if (!Signals.TryParse(killed.Groups[1].Value, out var signal))
                throw new FormatException($"'{killed.Groups[1].Value.ToUpperInvariant()}' in '{c}' is not a signal; use a name like KILL, TERM, SEGV or a number 1..64");
            return Behaviour.KilledAfter(Duration(killed.Groups[2].Value, c), signal);
        }
        if (Hang().Match(c) is { Success: true } hang) return Behaviour.HangsAfter(Duration(hang.Groups[1].Value, c));
        if (Ready().Match(c) is { Success: true } ready) return Behaviour.ReadyAfter(Duration(ready.Groups[1].Value, c));
        if (StopHeartbeat().Match(c) is { Success: true } beat) return Behaviour.StopsHeartbeatingAfter(Duration(beat.Groups[1].Value, c));
        if (IgnoreTerm().Match(c) is { Success: true } ignore)
            return Behaviour.RunsForever().IgnoringTerm(ignore.Groups[1].Success ? Duration(ignore.Groups[1].Value, c) : null);
        if (Fail().Match(c) is { Success: true } fail)
        {
            if (!int.TryParse(fail.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 1)
                throw new FormatException($"'{fail.Groups[1].Value}' in '{c}' is not a count; write e.g. fail 3 times then run");
            return Behaviour.RunsForever().FailingFirst(k);
        }
        throw new FormatException($"unknown behaviour '{c}'; write one of: {Known}");
    }

    private static int[] Codes(string text, string clause)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var codes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out codes[i]) || codes[i] > 255)
                throw new FormatException($"'{parts[i]}' in '{clause}' is not an exit code; use 0..255 (several: 75,75,0)");
        }
        return codes;
    }

    private static TimeSpan Duration(string text, string clause)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var bare) && bare != 0)
            throw new FormatException($"duration '{text}' in '{clause}' has no unit; write e.g. {text}s (ms, s, m, h, d)");
        if (!HoconScalars.TryDuration(text, out var duration) || duration < TimeSpan.Zero)
            throw new FormatException($"'{text}' in '{clause}' is not a duration; write e.g. 500ms, 40s, 2m, 1h");
        return duration;
    }
}
