using ApManager.Core.Masks;
using static ApManager.Core.Tests.Support.MaskText;

namespace ApManager.Core.Tests.Masks;

public class ApMaskTests
{
    [Theory]
    [InlineData(0, "8")]
    [InlineData(1, "4")]
    [InlineData(3, "1")]
    [InlineData(4, "08")]
    [InlineData(5, "04")]
    [InlineData(63, "000000000000000" + "1")]
    [InlineData(64, "0000000000000000" + "8")]
    [InlineData(128, "00000000000000000000000000000000" + "8")]
    [InlineData(255, "000000000000000000000000000000000000000000000000000000000000000" + "1")]
    public void BitNumberingIsMsbFirstInTheShowFormatUpToBit255AsTheLowBitOfTheLastDigit(int bit, string digits) =>
        Assert.Equal(Hex(digits), ApMask.Of(bit).ToString());

    [Fact]
    public void AllButBits5And6IsF9FollowedByOnes() =>
        Assert.Equal("0xf9" + new string('f', 62), ApMask.All.Without(5).Without(6).ToString());

    [Fact]
    public void EmptyAndAllShowAsZerosAndOnes()
    {
        Assert.Equal(Z, ApMask.Empty.ToString());
        Assert.Equal(F, ApMask.All.ToString());
        Assert.Equal(66, ApMask.All.ToString().Length);
    }

    [Fact]
    public void ShowFormatIsLowerCase() =>
        Assert.Equal(Hex("abcdef"), Mask("ABCDEF").ToString());

    [Fact]
    public void SetIdsEnumerateAscendingAndCountMatches()
    {
        var mask = ApMask.Of(200, 5, 64, 0, 255, 63, 5);

        Assert.Equal([0, 5, 63, 64, 200, 255], mask.ToArray());
        Assert.Equal(6, mask.Count);
        Assert.True(mask.Contains(64));
        Assert.False(mask.Contains(65));
    }

    [Fact]
    public void ContainsIsFalseOutsideZeroTo255AndWithRejectsThem()
    {
        Assert.False(ApMask.All.Contains(-1));
        Assert.False(ApMask.All.Contains(256));
        Assert.Throws<ArgumentOutOfRangeException>(() => ApMask.Empty.With(256));
        Assert.Throws<ArgumentOutOfRangeException>(() => ApMask.Empty.With(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ApMask.All.Without(256));
    }

    [Fact]
    public void RangeAndSetAlgebraWorkAcrossWordBoundaries()
    {
        var low = ApMask.Range(60, 70);
        var high = ApMask.Range(65, 130);

        Assert.Equal(ApMask.Range(65, 70), low & high);
        Assert.Equal(ApMask.Range(60, 130), low | high);
        Assert.Equal(ApMask.Range(60, 64), low.Except(high));
        Assert.Equal(ApMask.Range(60, 64) | ApMask.Range(71, 130), low ^ high);
        Assert.Equal(ApMask.Empty, ~ApMask.All);
        Assert.True(low.Overlaps(high));
        Assert.False(ApMask.Range(0, 59).Overlaps(low));
        Assert.True(ApMask.Empty.IsEmpty);
    }

    [Fact]
    public void MasksWithTheSameBitsAreEqualValues()
    {
        Assert.Equal(ApMask.Of(1, 2, 3), ApMask.Range(1, 3));
        Assert.True(ApMask.Of(7) == ApMask.Empty.With(7));
        Assert.NotEqual(ApMask.Of(7), ApMask.Of(8));
    }
}
