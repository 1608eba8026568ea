using System.Text;
using System.Text.RegularExpressions;

namespace Actors.Core.Tests.Configuration;

/// <summary>
/// Makes broken configuration files from real ones (hocon/reference.conf, hocon/demo.conf and the README's
/// HOCON examples): truncations, swapped brackets, deep nesting, huge values, NULs, invalid UTF-8, substitution
/// loops, and random byte flips, inserts and deletes. Case <c>n</c> is the same bytes on every run (its own
/// seeded generator), so a failure is reproduced from its number alone. Shared with the integration tests.
/// </summary>
public sealed partial class ConfigMutator
{
    private readonly IReadOnlyList<byte[]> _seeds;

    public ConfigMutator(string repositoryRoot)
    {
        var seeds = new List<string>
        {
            File.ReadAllText(Path.Combine(repositoryRoot, "hocon", "reference.conf")),
            File.ReadAllText(Path.Combine(repositoryRoot, "hocon", "demo.conf")),
        };
        seeds.AddRange(HoconBlock().Matches(File.ReadAllText(Path.Combine(repositoryRoot, "README.md"))).Select(m => m.Groups[1].Value));
        _seeds = seeds.Select(Encoding.UTF8.GetBytes).ToList();
    }

    public int SeedCount => _seeds.Count;

    [GeneratedRegex(@"```hocon\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex HoconBlock();

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Actors.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no Actors.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>The bytes of case <paramref name="n"/> and what was done to make them.</summary>
    public (byte[] Bytes, string How) Case(int n)
    {
        var random = new Random(n);
        var bytes = new List<byte>(_seeds[random.Next(_seeds.Count)]);
        var how = new List<string>();
        var count = random.Next(1, 5);
        for (var i = 0; i < count; i++)
            how.Add(Mutate(bytes, random));
        return (bytes.ToArray(), string.Join("; ", how));
    }

    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", "\"", "\"\"\"", "${", "}", "${actors.node.state-dir}", "${x}", "=", ":", ",", "#", "//",
        "\n", "include \"x.conf\"\n", "\\", "\\u", "\\u12", "+=", ".", "..", "$", "!", "*", "`", "^", "?", "@", "&",
        "= [", "= {", "[{", "}]", "a.b.c.d", "\r", "\t", "null", "on", "-1", "99999999999999999999", "1e400",
    ];

    private static string Mutate(List<byte> bytes, Random random)
    {
        var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count + 1);
        switch (random.Next(14))
        {
            case 0:
                bytes.RemoveRange(at, bytes.Count - at);
                return $"truncated at {at}";
            case 1:
                return SwapBracket(bytes, random);
            case 2:
            {
                // Mostly a little too deep, sometimes absurdly (100,000: the stack-overflow case).
                var depth = random.Next(4) == 0 ? 100_000 : random.Next(30, 200);
                var open = new[] { "{", "[", "a.", "[{ k = ", "x { ", "y = { " }[random.Next(6)];
                var close = open switch { "{" => "}", "[" => "]", "a." => "", "[{ k = " => "}]", _ => "}" };
                var middle = open == "a." ? "z = 1" : "1";
                var text = Repeat(open, depth) + middle + (random.Next(2) == 0 ? Repeat(close, depth) : "");
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(text));
                return $"nesting {depth} x '{open}' at {at}";
            }
            case 3:
            {
                // Huge values: most below the 2 MiB limit, some near it, some above it.
                var size = random.Next(5) switch { < 3 => random.Next(1_000, 100_000), 3 => random.Next(100_000, 2_200_000), _ => random.Next(2_200_000, 6_000_000) };
                var quoted = random.Next(2) == 0;
                var text = (quoted ? "\"" : "") + new string((char)('a' + random.Next(26)), size) + (quoted ? "\"" : "");
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(text));
                return $"huge value of {size} at {at}";
            }
            case 4:
                bytes.Insert(at, 0);
                return $"NUL at {at}";
            case 5:
            {
                var invalid = new[] { new byte[] { 0xff }, [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf] }[random.Next(6)];
                bytes.InsertRange(at, invalid);
                return $"invalid UTF-8 at {at}";
            }
            case 6:
                if (bytes.Count > 0)
                {
                    var flip = random.Next(bytes.Count);
                    bytes[flip] ^= (byte)(1 << random.Next(8));
                    return $"bit flip at {flip}";
                }
                return "nothing to flip";
            case 7:
                bytes.Insert(at, (byte)random.Next(256));
                return $"random byte at {at}";
            case 8:
                if (bytes.Count > 0)
                {
                    var from = random.Next(bytes.Count);
                    var length = Math.Min(bytes.Count - from, random.Next(1, 64));
                    bytes.RemoveRange(from, length);
                    return $"deleted {length} at {from}";
                }
                return "nothing to delete";
            case 9:
            case 10:
            {
                var token = Tokens[random.Next(Tokens.Length)];
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(token));
                return $"'{token}' at {at}";
            }
            case 11:
            {
                if (bytes.Count == 0) return "nothing to copy";
                var from = random.Next(bytes.Count);
                var length = Math.Min(bytes.Count - from, random.Next(1, 2_000));
                bytes.InsertRange(at, bytes.GetRange(from, length));
                return $"copied {length} from {from} to {at}";
            }
            case 12:
            {
                var loops = new[]
                {
                    "\nactors.node.state-dir = ${actors.node.state-dir}\n",
                    "\nactors.node { state-dir = ${actors.node.log-dir}, log-dir = ${actors.node.state-dir} }\n",
                    "\nactors.defaults.env = ${actors.defaults}\n",
                    "\nq = ${q.r}\n",
                    "\n" + string.Concat(Enumerable.Range(0, 300).Select(i => $"c{i} = ${{c{i + 1}}}\n")) + "c300 = x\nactors.node.log-dir = ${c0}\n",
                };
                var loop = loops[random.Next(loops.Length)];
                bytes.InsertRange(random.Next(2) == 0 ? bytes.Count : at, Encoding.UTF8.GetBytes(loop));
                return $"substitution loop {Array.IndexOf(loops, loop)}";
            }
            default:
            {
                // Another line of the same file, somewhere else: plausible keys in implausible places.
                var lines = Encoding.UTF8.GetString(bytes.ToArray()).Split('\n');
                var line = lines[random.Next(lines.Length)];
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(line + "\n"));
                return $"line copied to {at}";
            }
        }
    }

    private static string SwapBracket(List<byte> bytes, Random random)
    {
        var brackets = Enumerable.Range(0, bytes.Count).Where(i => bytes[i] is (byte)'{' or (byte)'}' or (byte)'[' or (byte)']').ToList();
        if (brackets.Count == 0) return "no bracket to swap";
        var at = brackets[random.Next(brackets.Count)];
        var old = (char)bytes[at];
        var replacement = "{}[]"[random.Next(4)];
        bytes[at] = (byte)replacement;
        return $"'{old}' -> '{replacement}' at {at}";
    }

    private static string Repeat(string s, int n) => new StringBuilder(s.Length * n).Insert(0, s, n).ToString();
}
