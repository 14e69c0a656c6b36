using ApManager.Core.Masks;

namespace ApManager.Core.Tests.Masks;

public class ApqnTests
{
    [Theory]
    [InlineData(10, 27, "0a.001b")]
    [InlineData(5, 4, "05.0004")]
    [InlineData(0, 0, "00.0000")]
    [InlineData(255, 255, "ff.00ff")]
    [InlineData(7, 71, "07.0047")]
    public void TextFormIsTwoHexDotFourHexLowerCase(byte adapter, byte domain, string text) =>
        Assert.Equal(text, new Apqn(adapter, domain).ToString());

    [Theory]
    [InlineData("0a.001b")]
    [InlineData("0A.001B")]
    [InlineData("0a.001B")]
    [InlineData("0A.001b")]
    public void ParseAcceptsEitherCase(string text)
    {
        Assert.True(Apqn.TryParse(text, out var apqn));
        Assert.Equal(new Apqn(10, 27), apqn);
        Assert.Equal(new Apqn(10, 27), Apqn.Parse(text));
    }

    [Theory]
    [InlineData("ff.00ff", 255, 255)]
    [InlineData("00.0000", 0, 0)]
    public void ParseAcceptsTheExtremes(string text, byte adapter, byte domain) =>
        Assert.Equal(new Apqn(adapter, domain), Apqn.Parse(text));

    [Theory]
    [InlineData("0a.0100")]   // domain above 00ff
    [InlineData("0a.ffff")]
    [InlineData("0a.001")]    // wrong lengths
    [InlineData("0a.0001b")]
    [InlineData("a.001b")]
    [InlineData("00a.001b")]
    [InlineData("0a001b")]    // missing dot
    [InlineData("0a001b0")]
    [InlineData("0a:001b")]
    [InlineData("0a.001g")]   // not hex
    [InlineData("0x.001b")]
    [InlineData("+a.001b")]
    [InlineData("0a.-01b")]
    [InlineData(" a.001b")]
    [InlineData("0a.001b ")]
    [InlineData("")]
    [InlineData(null)]
    public void ParseRejectsAnythingButExactlyTwoDotFourHexDigitsUpTo00ff(string? text)
    {
        Assert.False(Apqn.TryParse(text, out var apqn));
        Assert.Equal(default, apqn);
        if (text is not null)
        {
            Assert.Throws<FormatException>(() => Apqn.Parse(text));
        }
    }

    [Fact]
    public void ApqnsOrderByAdapterThenDomain()
    {
        Apqn[] apqns = [Apqn.Parse("06.0004"), Apqn.Parse("05.0047"), Apqn.Parse("05.0004"), Apqn.Parse("04.00ff")];

        Array.Sort(apqns);

        Assert.Equal(["04.00ff", "05.0004", "05.0047", "06.0004"], apqns.Select(a => a.ToString()));
        Assert.True(Apqn.Parse("05.00ff") < Apqn.Parse("06.0000"));
    }

    [Fact]
    public void EveryApqnRoundTripsThroughItsText()
    {
        for (var a = 0; a < 256; a++)
        {
            for (var d = 0; d < 256; d += 17)
            {
                var apqn = new Apqn((byte)a, (byte)d);
                Assert.Equal(apqn, Apqn.Parse(apqn.ToString()));
            }
        }
    }
}
