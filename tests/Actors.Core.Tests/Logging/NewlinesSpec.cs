using Actors.Logging;
using Xunit;

namespace Actors.Core.Tests.Logging;

public sealed class NewlinesSpec
{
    [Fact]
    public void Both_ways_find_the_nth_newline_from_the_end_where_repeated_LastIndexOf_finds_it_at_every_length_and_density()
    {
        var random = new Random(7);
        var checkedFound = 0;
        for (var round = 0; round < 3000; round++)
        {
            // Lengths around the 32-byte blocks and past several of them; from no newlines to nearly all newlines.
            var bytes = new byte[random.Next(0, 200)];
            var density = random.NextDouble();
            for (var i = 0; i < bytes.Length; i++)
                bytes[i] = random.NextDouble() < density ? (byte)'\n' : (byte)('a' + random.Next(26));
            var count = bytes.Count((byte)'\n');
            for (var nth = 1; nth <= count + 2; nth++)
            {
                var expected = bytes.Length;
                for (var i = 0; i < nth && expected >= 0; i++)
                    expected = bytes.AsSpan(0, Math.Max(expected, 0)).LastIndexOf((byte)'\n');
                Assert.Equal(nth <= count ? expected : -1, Newlines.NthFromEndInBlocks(bytes, nth));
                Assert.Equal(nth <= count ? expected : -1, Newlines.NthFromEndBySearch(bytes, nth));
                if (nth <= count) checkedFound++;
            }
        }
        Assert.True(checkedFound > 10_000, $"only {checkedFound} found newlines were checked");
    }

    [Fact]
    public void Nth_below_one_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Newlines.NthFromEndInBlocks("a\n"u8, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Newlines.NthFromEndBySearch("a\n"u8, 0));
    }
}
