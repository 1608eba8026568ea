using System.Globalization;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Integration.Tests.Cluster;

/// <summary>
/// The fencing log a singleton writes itself (the TestDummy's <c>fence</c> mode): "TOKEN MONOTONIC-NS" at its start and
/// every 50 ms, one write(2) per line with O_APPEND, TOKEN being the fencing token its node passed it. The file's order
/// is the order of the writes, whichever copy wrote them, so the file alone proves who ran when.
/// </summary>
internal sealed class FenceLog(string path)
{
    public string Path { get; } = path;

    /// <summary>One line of the log: the writer's token and the time of the write (CLOCK_MONOTONIC, ns).</summary>
    public sealed record Line(long Token, long Ns);

    /// <summary>Every line so far (none while the file does not exist yet).</summary>
    public List<Line> Read() =>
        !File.Exists(Path) ? [] : File.ReadAllLines(Path).Where(l => l.Length > 0).Select(l => l.Split(' '))
            // A line cut by a SIGKILL in the middle of its write cannot happen (one write(2) each), but say so if it does.
            .Select(p => p.Length == 2 && long.TryParse(p[0], CultureInfo.InvariantCulture, out var t) && long.TryParse(p[1], CultureInfo.InvariantCulture, out var ns)
                ? new Line(t, ns) : throw new Xunit.Sdk.XunitException($"a malformed fencing line: {string.Join(' ', p)}"))
            .ToList();

    /// <summary>
    /// The log proves one copy at a time: in the order the writes happened (the file's order), the tokens never go
    /// back (a copy with an older token never wrote after one with a newer token started), and each token's run ended
    /// before the next token's began on the monotonic clock. Returns the tokens in order.
    /// </summary>
    public static List<long> AssertNoOverlap(List<Line> lines, ITestOutputHelper output)
    {
        Assert.NotEmpty(lines);
        var tokens = new List<long>();
        foreach (var line in lines)
        {
            if (tokens.Count == 0 || tokens[^1] != line.Token)
            {
                if (tokens.Count > 0 && line.Token < tokens[^1])
                    Assert.Fail($"token {line.Token} wrote after token {tokens[^1]}: two copies overlapped (tokens so far {string.Join(", ", tokens)})");
                tokens.Add(line.Token);
            }
        }
        for (int i = 1; i < tokens.Count; i++)
        {
            var end = lines.Where(l => l.Token == tokens[i - 1]).Max(l => l.Ns);
            var start = lines.Where(l => l.Token == tokens[i]).Min(l => l.Ns);
            Assert.True(end < start, $"token {tokens[i - 1]} wrote until {end} ns, token {tokens[i]} from {start} ns: they overlapped");
            output.WriteLine($"token {tokens[i - 1]} -> {tokens[i]}: a gap of {(start - end) / 1e6:0} ms between the last line of one and the first of the next");
        }
        return tokens;
    }
}
