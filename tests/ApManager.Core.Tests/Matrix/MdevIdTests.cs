using ApManager.Core.Matrix;
using FsCheck.Xunit;

namespace ApManager.Core.Tests.Matrix;

public class MdevIdTests
{
    [Theory]
    [InlineData("0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11")]
    [InlineData("0B1F7C3E-2D4A-4E55-9F1D-7A0C2B9E6D11")]
    public void UuidsParseInEitherCaseAndShowCanonicalLowerCase(string text)
    {
        Assert.True(MdevId.TryParse(text, out var id));
        Assert.Equal("0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11", id.ToString());
        Assert.Equal(Guid.Parse(text), id.ToGuid());
    }

    [Theory]
    [InlineData("{0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11}")]
    [InlineData("0b1f7c3e2d4a4e559f1d7a0c2b9e6d11")]
    [InlineData("0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d1")]
    [InlineData("0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d1g")]
    [InlineData(" 0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d1")]
    [InlineData("")]
    [InlineData(null)]
    public void AnythingButThe8_4_4_4_12FormIsRejected(string? text) =>
        Assert.False(MdevId.TryParse(text, out _));

    [Property(MaxTest = 300)]
    public void OrderingFollowsTheCanonicalText(Guid x, Guid y)
    {
        var a = MdevId.FromGuid(x);
        var b = MdevId.FromGuid(y);

        Assert.Equal(Math.Sign(string.CompareOrdinal(a.ToString(), b.ToString())), Math.Sign(a.CompareTo(b)));
        Assert.Equal(a, MdevId.Parse(a.ToString()));
        Assert.Equal(x, a.ToGuid());
    }
}
