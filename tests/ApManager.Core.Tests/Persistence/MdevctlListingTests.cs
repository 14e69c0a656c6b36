using ApManager.Core.Matrix;
using ApManager.Core.Persistence;
using static ApManager.Core.Tests.Persistence.Fixture;

namespace ApManager.Core.Tests.Persistence;

/// <summary><c>mdevctl list --defined --dumpjson</c> (fact sheet §1.4).</summary>
public class MdevctlListingTests
{
    private static readonly MdevId First = MdevId.Parse("3f0d2c1e-7a44-4c4b-9d55-0a1b2c3d4e5f");
    private static readonly MdevId Second = MdevId.Parse("b6a1e0d2-1c2d-4e3f-8a9b-112233445566");

    [Fact]
    public void AListingMdevctlPrintedReadsAndWritesBackByteIdentical()
    {
        var bytes = Bytes("mdevctl-list-defined");

        var result = MdevctlListing.Parse(bytes);

        Assert.True(result.Success);
        Assert.Equal([First, Second], result.Definitions!.Select(d => d.Id));
        Assert.Equal(727, bytes.Length);
        Assert.Equal(bytes, MdevctlListing.Write(result.Definitions!));
    }

    [Fact]
    public void DevicesAreListedByUuidAndEachIsTheFileMdevctlWrites()
    {
        var auto = MdevctlJson.Parse(Bytes("mdevctl-auto-mixed")).Definition!;
        var manual = MdevctlJson.Parse(Bytes("mdevctl-manual-empty")).Definition!;

        Assert.Equal(Bytes("mdevctl-list-defined"), MdevctlListing.Write([new(Second, manual), new(First, auto)]));
    }

    [Fact]
    public void AnEmptyListingIsTwoBrackets()
    {
        Assert.Equal("[]"u8.ToArray(), MdevctlListing.Write([]));
        Assert.Empty(MdevctlListing.Parse("[]"u8.ToArray()).Definitions!);
    }

    [Fact]
    public void AnInvalidDefinitionInAListingIsNamedByItsPath()
    {
        var text = """[{"matrix":[{"3f0d2c1e-7a44-4c4b-9d55-0a1b2c3d4e5f":{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[{"assign_adapter":5}]}}]}]""";

        var result = MdevctlListing.Parse(Utf8(text));

        Assert.Equal("[0].matrix[0].3f0d2c1e-7a44-4c4b-9d55-0a1b2c3d4e5f.attrs[0].assign_adapter", result.Problem?.Member);
    }

    [Fact]
    public void OtherParentsAreSkipped()
    {
        var text = """[{"0.0.0123":[{"3f0d2c1e-7a44-4c4b-9d55-0a1b2c3d4e5f":{"mdev_type":"vfio_ccw-io","start":"auto"}}]}]""";

        Assert.Empty(MdevctlListing.Parse(Utf8(text)).Definitions!);
    }
}
