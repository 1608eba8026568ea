using System.Text;

namespace Actors.TestDummy.Modes;

/// <summary>Floods the supervisor's pipe with one write() per line, the worst case for log capture.</summary>
internal static class PrintModes
{
    /// <summary>Writes <c>line 1</c> … <c>line N</c> to stdout, then exits with <paramref name="thenExit"/>.</summary>
    public static int Print(int count, int thenExit)
    {
        Span<byte> buffer = stackalloc byte[32];
        for (var i = 1; i <= count; i++)
            Output.Stdout.Write(Format(buffer, "line "u8, i));
        return thenExit;
    }

    /// <summary>Odd lines <c>out N</c> to stdout, even lines <c>err N</c> to stderr, so merged order is checkable.</summary>
    public static int PrintBoth(int count)
    {
        Span<byte> buffer = stackalloc byte[32];
        for (var i = 1; i <= count; i++)
        {
            if (i % 2 == 1)
                Output.Stdout.Write(Format(buffer, "out "u8, i));
            else
                Output.Stderr.Write(Format(buffer, "err "u8, i));
        }
        return 0;
    }

    /// <summary>Formats <c>prefix + number + '\n'</c> into <paramref name="buffer"/> without allocating.</summary>
    private static ReadOnlySpan<byte> Format(Span<byte> buffer, ReadOnlySpan<byte> prefix, int number)
    {
        prefix.CopyTo(buffer);
        number.TryFormat(buffer[prefix.Length..], out var digits, provider: System.Globalization.CultureInfo.InvariantCulture);
        var length = prefix.Length + digits;
        buffer[length] = (byte)'\n';
        return buffer[..(length + 1)];
    }
}
