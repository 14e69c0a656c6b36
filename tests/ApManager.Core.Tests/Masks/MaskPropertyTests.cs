using System.Globalization;
using System.Text;
using ApManager.Core;
using ApManager.Core.Masks;
using FsCheck;
using FsCheck.Xunit;

namespace ApManager.Core.Tests.Masks;

/// <summary>Invariants of show and parse over random masks and random input.</summary>
public class MaskPropertyTests
{
    /// <summary>Characters the grammar cares about, plus a little junk.</summary>
    internal const string Alphabet = "+-,\n\r \t;0123456789abcdefABCDEFxX\0gz";

    internal static string FromAlphabet(int[]? picks) =>
        picks is null ? "" : new string([.. picks.Select(p => Alphabet[(int)((uint)p % (uint)Alphabet.Length)])]);

    [Property(MaxTest = 500)]
    public void TheShowFormIsEachWordAsSixteenLowerCaseHexDigits(DoNotSize<ulong> w0, DoNotSize<ulong> w1, DoNotSize<ulong> w2, DoNotSize<ulong> w3)
    {
        var mask = ApMask.FromWords(w0.Item, w1.Item, w2.Item, w3.Item);
        var expected = "0x" + string.Concat(new[] { w0.Item, w1.Item, w2.Item, w3.Item }.Select(w => w.ToString("x16", CultureInfo.InvariantCulture)));
        var written = new char[ApMask.TextLength + 2];

        mask.Format(written);

        Assert.Equal(expected, mask.ToString());
        Assert.Equal(expected, new string(written, 0, ApMask.TextLength));
        Assert.Equal('\0', written[ApMask.TextLength]);
    }

    [Fact]
    public void FormattingIntoTooShortASpanThrowsAndWritesNothing()
    {
        var written = new char[ApMask.TextLength - 1];

        Assert.Throws<ArgumentOutOfRangeException>(() => ApMask.All.Format(written));
        Assert.All(written, c => Assert.Equal('\0', c));
    }

    [Property(MaxTest = 500)]
    public void ParsingTheShowFormOfAnyMaskGivesItBackWhateverTheCurrentMask(
        DoNotSize<ulong> w0, DoNotSize<ulong> w1, DoNotSize<ulong> w2, DoNotSize<ulong> w3, DoNotSize<ulong> c0, DoNotSize<ulong> c3)
    {
        var mask = ApMask.FromWords(w0.Item, w1.Item, w2.Item, w3.Item);
        var current = ApMask.FromWords(c0.Item, 0, 0, c3.Item);

        var shown = mask.ToString();
        var parsed = MaskParser.Parse(shown, current);
        var withNewline = MaskParser.Parse(shown + "\n", current);

        Assert.Equal(66, shown.Length);
        Assert.True(parsed.Success);
        Assert.Equal(mask, parsed.Mask);
        Assert.Equal(mask, withNewline.Mask);
    }

    [Property(MaxTest = 300)]
    public void ParsingTheShowFormOfAMaskBuiltFromIdsGivesItBack(int[] ids, int[] currentIds)
    {
        var mask = ApMask.Of(ids.Select(i => i & 255));
        var current = ApMask.Of(currentIds.Select(i => i & 255));

        var parsed = MaskParser.Parse(mask.ToString(), current);

        Assert.True(parsed.Success);
        Assert.Equal(mask, parsed.Mask);
        Assert.Equal(ids.Select(i => i & 255).Distinct().Order(), mask.ToArray());
    }

    [Property(MaxTest = 300)]
    public void RelativeTermsSetAndClearExactlyTheNamedIds(int[] setIds, int[] clearIds, DoNotSize<ulong> w0, DoNotSize<ulong> w2)
    {
        var set = setIds.Select(i => i & 255).ToArray();
        var clear = clearIds.Select(i => i & 255).ToArray();
        var current = ApMask.FromWords(w0.Item, 0, w2.Item, ulong.MaxValue);
        var input = string.Join(",", set.Select(i => "+" + i.ToString(CultureInfo.InvariantCulture)).Concat(clear.Select(i => "-0x" + i.ToString("x", CultureInfo.InvariantCulture))));

        var parsed = MaskParser.Parse(input, current);

        var expected = current;
        foreach (var i in set)
        {
            expected = expected.With(i);
        }
        foreach (var i in clear)
        {
            expected = expected.Without(i);
        }
        Assert.True(parsed.Success);
        Assert.Equal(expected, parsed.Mask);
    }

    [Property(MaxTest = 1000)]
    public void AnyInputEitherParsesOrFailsWithAPositionInsideTheInput(int[] picks)
    {
        var bytes = Encoding.UTF8.GetBytes(FromAlphabet(picks));

        var result = MaskParser.Parse(bytes, ApMask.Of(3, 4, 7));

        if (!result.Success)
        {
            Assert.Equal(Errno.EINVAL, result.Errno);
            var nul = Array.IndexOf(bytes, (byte)0);
            Assert.InRange(result.Position, 0, nul >= 0 ? nul : bytes.Length);
        }
    }

    [Fact]
    public void DecimalOctalAndHexSpellingsOfEveryIdSetTheSameBit()
    {
        for (var id = 0; id < 256; id++)
        {
            var expected = ApMask.Of(id).ToString();
            foreach (var spelling in new[]
            {
                id.ToString(CultureInfo.InvariantCulture),
                "0" + Convert.ToString(id, 8),
                "0x" + id.ToString("x", CultureInfo.InvariantCulture),
                "0X" + id.ToString("X2", CultureInfo.InvariantCulture),
            })
            {
                var result = MaskParser.Parse("+" + spelling, ApMask.Empty);
                Assert.True(result.Success, spelling);
                Assert.Equal(expected, result.Mask.ToString());
            }
        }
    }
}
