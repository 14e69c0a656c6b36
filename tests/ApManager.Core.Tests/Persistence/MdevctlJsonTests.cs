using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Persistence;
using static ApManager.Core.Tests.Persistence.Fixture;

namespace ApManager.Core.Tests.Persistence;

/// <summary>mdevctl's definition files (fact sheet §1.2, §1.3): read what mdevctl reads, write what it writes.</summary>
public class MdevctlJsonTests
{
    private static MdevctlDefinition Read(byte[] bytes)
    {
        var result = MdevctlJson.Parse(bytes);
        Assert.True(result.Success, $"expected a definition, got {result.Problem}");
        return result.Definition;
    }

    [Theory]
    [InlineData("mdevctl-auto-mixed")]
    [InlineData("mdevctl-manual-empty")]
    [InlineData("mdevctl-duplicates-unassign")]
    public void AFileMdevctlWroteReadsAndWritesBackByteIdentical(string fixture)
    {
        var bytes = Bytes(fixture);

        Assert.Equal(bytes, MdevctlJson.Write(Read(bytes)));
    }

    [Fact]
    public void AttributesAreKeptInOrderAndVerbatimWithHexAndDecimalValues()
    {
        var definition = Read(Bytes("mdevctl-auto-mixed"));

        Assert.Equal(StartMode.Auto, definition.Start);
        Assert.Null(definition.StartAsWritten);
        Assert.Equal(
            [new("assign_adapter", "5"), new("assign_adapter", "0x0b"), new("assign_domain", "4"), new("assign_domain", "0xab"), new("assign_control_domain", "0xab")],
            definition.Attributes.ToArray<MdevctlAttribute>());
        Assert.Equal(295, MdevctlJson.Write(definition).Length);
        Assert.Equal((byte)'}', MdevctlJson.Write(definition)[^1]);
    }

    [Fact]
    public void DuplicatesAndUnassignEntriesAreKeptAsGiven()
    {
        var definition = Read(Bytes("mdevctl-duplicates-unassign"));

        Assert.Equal(["assign_adapter", "assign_domain", "assign_adapter", "unassign_adapter", "assign_domain", "unassign_domain", "assign_control_domain"],
            definition.Attributes.Select(a => a.Name));
        Assert.Equal("010", definition.Attributes[4].Value);
    }

    [Fact]
    public void TheLegacyJqFormWithAFinalNewlineReadsAndIsWrittenBackAsMdevctl1WritesIt()
    {
        var legacy = Bytes("mdevctl-legacy-jq");

        var written = MdevctlJson.Write(Read(legacy));

        Assert.Equal((byte)'\n', legacy[^1]);
        Assert.Equal(Bytes("mdevctl-auto-mixed"), written);
    }

    [Fact]
    public void ExtraMembersSuchAsParentAreIgnoredNamedAndDroppedOnWrite()
    {
        var input = Utf8("""{"parent":"matrix","comment":"x","attrs":[{"assign_adapter":"5"}],"start":"auto","mdev_type":"vfio_ap-passthrough"}""");

        var result = MdevctlJson.Parse(input);

        Assert.True(result.Success);
        Assert.Equal<string>(["parent", "comment"], result.IgnoredMembers);
        Assert.Equal("{\n  \"mdev_type\": \"vfio_ap-passthrough\",\n  \"start\": \"auto\",\n  \"attrs\": [\n    {\n      \"assign_adapter\": \"5\"\n    }\n  ]\n}",
            System.Text.Encoding.UTF8.GetString(MdevctlJson.Write(result.Definition)));
    }

    [Theory]
    [InlineData("""{"mdev_type":"vfio_ap-passthrough","start":"manual"}""")]
    [InlineData("""{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":null}""")]
    public void MissingOrNullAttrsIsAnEmptyList(string json)
    {
        var definition = Read(Utf8(json));

        Assert.Empty(definition.Attributes);
        Assert.Equal(Bytes("mdevctl-manual-empty"), MdevctlJson.Write(definition));
    }

    [Theory]
    [InlineData("\"bogus\"")]
    [InlineData("\"Auto\"")]
    [InlineData("true")]
    [InlineData("1")]
    public void AStartOtherThanAutoIsManualAndRemembersWhatWasWritten(string start)
    {
        var definition = Read(Utf8($$"""{"mdev_type":"vfio_ap-passthrough","start":{{start}},"attrs":[]}"""));

        Assert.Equal(StartMode.Manual, definition.Start);
        Assert.Equal(start, definition.StartAsWritten);
        Assert.Equal(Bytes("mdevctl-manual-empty"), MdevctlJson.Write(definition));
    }

    [Theory]
    [InlineData("""{"start":"auto","attrs":[]}""", "mdev_type")]
    [InlineData("""{"mdev_type":null,"start":"auto","attrs":[]}""", "mdev_type")]
    [InlineData("""{"mdev_type":5,"start":"auto","attrs":[]}""", "mdev_type")]
    [InlineData("""{"mdev_type":"vfio_ccw-io","start":"auto","attrs":[]}""", "mdev_type")]
    [InlineData("""{"mdev_type":"vfio_ap-passthrough","attrs":[]}""", "start")]
    [InlineData("""{"mdev_type":"vfio_ap-passthrough","start":null,"attrs":[]}""", "start")]
    [InlineData("""{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":{"assign_adapter":"5"}}""", "attrs")]
    [InlineData("""{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":"5"}""", "attrs")]
    [InlineData("""{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[{"assign_adapter":"5"},"assign_domain"]}""", "attrs[1]")]
    [InlineData("""{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[{"assign_adapter":"5","assign_domain":"4"}]}""", "attrs[0]")]
    [InlineData("""{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[{}]}""", "attrs[0]")]
    [InlineData("""{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[{"assign_adapter":"5"},{"assign_domain":4}]}""", "attrs[1].assign_domain")]
    [InlineData("""{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[{"assign_domain":null}]}""", "attrs[0].assign_domain")]
    [InlineData("""[{"matrix":[]}]""", "$")]
    [InlineData("""{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[],}""", "$")]
    [InlineData("""{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[]} x""", "$")]
    [InlineData("", "$")]
    public void AnInvalidFileIsRefusedNamingTheMember(string json, string member)
    {
        var result = MdevctlJson.Parse(Utf8(json));

        Assert.False(result.Success);
        Assert.Equal(member, result.Problem.Member);
        Assert.Null(result.Definition);
    }

    [Fact]
    public void AByteOrderMarkIsRefusedAsMdevctlRefusesIt()
    {
        var result = MdevctlJson.Parse((byte[])[0xEF, 0xBB, 0xBF, .. Bytes("mdevctl-manual-empty")]);

        Assert.Equal("$", result.Problem?.Member);
    }

    [Fact]
    public void TheDumpjsonHierarchyIsNotADefinition()
    {
        Assert.Equal("$", MdevctlJson.Parse(Bytes("mdevctl-list-defined")).Problem?.Member);
    }

    [Fact]
    public void StringsAreEscapedAsSerdeJsonEscapesThem()
    {
        var definition = new MdevctlDefinition(StartMode.Manual, [new("odd \"name\"\\", "a\u0001b\tc\u007f/é")]);

        var text = System.Text.Encoding.UTF8.GetString(MdevctlJson.Write(definition));

        Assert.Contains("\"odd \\\"name\\\"\\\\\": \"a\\u0001b\\tc\u007f/é\"", text, StringComparison.Ordinal);
        Assert.Equal(definition, Read(MdevctlJson.Write(definition)));
    }

    [Fact]
    public void DefiningFromAnActiveDeviceWritesDecimalIdsInGetAttributesOrder()
    {
        var assignment = new Assignment(ApMask.Of(11, 5), ApMask.Of(171, 4), ApMask.Of(171));

        var definition = MdevctlDefinition.FromAssignment(assignment, StartMode.Auto);

        Assert.Equal(
            [new("assign_adapter", "5"), new("assign_adapter", "11"), new("assign_domain", "4"), new("assign_domain", "171"), new("assign_control_domain", "171")],
            definition.Attributes.ToArray<MdevctlAttribute>());
        Assert.Equal(assignment, definition.ApCheck.Assignment);
    }

    [Fact]
    public void DefinitionsWithEqualStartAndAttributesAreEqual()
    {
        var a = Read(Bytes("mdevctl-auto-mixed"));
        var b = Read(Bytes("mdevctl-legacy-jq"));

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, a with { Start = StartMode.Manual });
    }
}
