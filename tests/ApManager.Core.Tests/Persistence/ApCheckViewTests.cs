using ApManager.Core.Masks;
using ApManager.Core.Persistence;

namespace ApManager.Core.Tests.Persistence;

/// <summary>How ap-check (libap <c>load_attr_to_device</c>) reads a definition's ids (fact sheet §3.4).</summary>
public class ApCheckViewTests
{
    private static ApCheckView View(params (string Name, string Value)[] attrs) =>
        ApCheckView.Of(attrs.Select(a => new MdevctlAttribute(a.Name, a.Value)));

    [Fact]
    public void AssignValuesAreReadWithStrtolBaseZeroUnitedSortedAndUnique()
    {
        var view = View(("assign_adapter", "0x0b"), ("assign_adapter", "5"), ("assign_adapter", "5"), ("assign_domain", "010"), ("assign_domain", "0xab"), ("assign_control_domain", "171"));

        Assert.Equal<uint>([5u, 11u], view.Adapters);
        Assert.Equal<uint>([8u, 171u], view.Domains);
        Assert.Equal<uint>([171u], view.ControlDomains);
        Assert.Equal(ApMask.Of(5, 11), view.Assignment.Adapters);
    }

    [Fact]
    public void UnassignEntriesAndUnknownNamesAreIgnored()
    {
        var view = View(("assign_adapter", "5"), ("unassign_adapter", "5"), ("assign_domain", "4"), ("unassign_domain", "4"), ("frobnicate", "1"));

        Assert.Equal<uint>([5u], view.Adapters);
        Assert.Equal<uint>([4u], view.Domains);
    }

    [Theory]
    [InlineData("5,6", new uint[] { 5, 6 })]
    [InlineData(",5,,6,", new uint[] { 5, 6 })]
    [InlineData(" 7", new uint[] { 7 })]
    [InlineData("+7\n", new uint[] { 7 })]
    [InlineData("7abc", new uint[] { 7 })]
    [InlineData("abc", new uint[] { 0 })]
    [InlineData("08", new uint[] { 0 })]
    [InlineData("0x", new uint[] { 0 })]
    [InlineData("-1", new uint[] { 4294967295 })]
    [InlineData("256", new uint[] { 256 })]
    [InlineData("", new uint[0])]
    public void EachCommaItemIsWhatStrtolReturnsCastToUnsignedInt(string value, uint[] ids)
    {
        Assert.Equal(ids, View(("assign_domain", value)).Domains);
    }

    [Fact]
    public void IdsAbove255AreListedButNotInTheAssignment()
    {
        var view = View(("assign_adapter", "256"), ("assign_adapter", "3"));

        Assert.True(view.HasIdAbove255);
        Assert.Equal(ApMask.Of(3), view.Assignment.Adapters);
    }

    [Fact]
    public void ApConfigReplacesAllThreeSets()
    {
        var apConfig = $"{ApMask.Of(1)},{ApMask.Of(2, 3)},{ApMask.Of(9)}";

        var view = View(("assign_adapter", "5"), ("ap_config", apConfig), ("assign_domain", "7"));

        Assert.Null(view.Malformed);
        Assert.Equal<uint>([1u], view.Adapters);
        Assert.Equal<uint>([2u, 3u, 7u], view.Domains);
        Assert.Equal<uint>([9u], view.ControlDomains);
    }

    [Theory]
    [InlineData("0x01,0x02,0x03")]
    [InlineData("")]
    public void AMalformedApConfigIsReportedAsAbortingApCheck(string value)
    {
        Assert.NotNull(View(("ap_config", value)).Malformed);
    }
}
