using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Actors.Logging;

/// <summary>
/// Finds newlines from the end of a read. The tail keeps the last lines of a read that holds more than it keeps; finding
/// where they start with one <c>LastIndexOf</c> per kept line cost a call per line (a thousand by default) for every
/// read: with the per-line <c>LogTail.Shown</c>, the largest part of the log path's own time on the 64 KiB log row
/// (perf, bench/README.md, issue 14, stop 32). With 256-bit vectors the newlines are counted 32 bytes at a time.
/// </summary>
internal static class Newlines
{
    /// <summary>The index of the <paramref name="nth"/> newline counted from the end of <paramref name="bytes"/> (1: the last one), or -1 when it holds fewer.</summary>
    public static int NthFromEnd(ReadOnlySpan<byte> bytes, int nth) =>
        Vector256.IsHardwareAccelerated ? NthFromEndInBlocks(bytes, nth) : NthFromEndBySearch(bytes, nth);

    /// <summary><see cref="NthFromEnd"/> by 32-byte blocks: a block's newlines are a mask, counted at once.</summary>
    internal static int NthFromEndInBlocks(ReadOnlySpan<byte> bytes, int nth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nth, 1);
        var i = bytes.Length;
        ref var start = ref MemoryMarshal.GetReference(bytes);
        var newline = Vector256.Create((byte)'\n');
        while (i >= Vector256<byte>.Count)
        {
            i -= Vector256<byte>.Count;
            var mask = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)i), newline).ExtractMostSignificantBits();
            var found = BitOperations.PopCount(mask);
            if (found < nth)
            {
                nth -= found;
                continue;
            }
            // The nth newline from the end is the nth highest bit of this block's mask.
            for (; nth > 1; nth--)
                mask &= ~(1u << (31 - BitOperations.LeadingZeroCount(mask)));
            return i + 31 - BitOperations.LeadingZeroCount(mask);
        }
        while (--i >= 0)
        {
            if (bytes[i] == (byte)'\n' && --nth == 0)
                return i;
        }
        return -1;
    }

    /// <summary><see cref="NthFromEnd"/> without 256-bit vectors (Arm64): CoreLib's vectorised search, one call per newline.</summary>
    internal static int NthFromEndBySearch(ReadOnlySpan<byte> bytes, int nth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nth, 1);
        var end = bytes.Length;
        for (; nth > 0; nth--)
        {
            end = bytes[..end].LastIndexOf((byte)'\n');
            if (end < 0)
                return -1;
        }
        return end;
    }
}
