using System.Text;
using System.Text.Json;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Persistence;
using ApManager.Core.Transfer;

namespace ApManager.Core.Tests.Transfer;

/// <summary>mdevctl's files (captured from mdevctl 1.2, tests/fixtures/mdevctl) as an import reads them and the export writes them back.</summary>
public sealed class MdevctlMatrixTests
{
    public static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "mdevctl", name));

    public static TheoryData<string> Files => ["manual-hex", "auto-decimal", "duplicates-unassign", "jsonfile-parent", "manual-empty"];

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryFileMdevctlWroteReadsAndWritesBackByteForByte(string name)
    {
        var parsed = MdevctlJson.Parse(Fixture(name));

        Assert.True(parsed.Success, parsed.Problem?.Detail);
        Assert.True(MdevctlMatrix.Of(parsed.Definition).Success);
        Assert.Equal(Encoding.UTF8.GetString(Fixture(name)), Encoding.UTF8.GetString(MdevctlJson.Write(parsed.Definition)));
    }

    [Fact]
    public void TheJsonfileInputWithAParentKeyIsWrittenAsMdevctlWroteIt()
    {
        var parsed = MdevctlJson.Parse(Fixture("jsonfile-parent.input.json"));

        Assert.Equal(["parent"], parsed.IgnoredMembers.ToArray());
        Assert.Equal(Fixture("jsonfile-parent"), MdevctlJson.Write(parsed.Definition!));
    }

    [Fact]
    public void AttributesApplyInOrderAsTheKernelReadsThemUnassignsIncluded()
    {
        var m = MdevctlMatrix.Of(MdevctlJson.Parse(Fixture("duplicates-unassign")).Definition!);

        // 9, 9, 0xc then unassign 0xc; 010 is octal 8, 0x20 unassigned as 32; +8 kept, 3 never assigned.
        Assert.Equal([9L], m.Adapters.ToArray());
        Assert.Equal([8L], m.Domains.ToArray());
        Assert.Equal([8L], m.ControlDomains.ToArray());
    }

    [Theory]
    [InlineData("ap_config", "0x1,0x2,0x3", "attrs[0].ap_config", "is not one ApManager applies")]
    [InlineData("assign_adaptor", "5", "attrs[0].assign_adaptor", "assign_adapter, assign_domain")]
    [InlineData("assign_domain", "0x1g", "attrs[0].assign_domain", "EINVAL")]
    [InlineData("assign_domain", "-1", "attrs[0].assign_domain", "EINVAL")]
    [InlineData("assign_adapter", "99999999999999999999", "attrs[0].assign_adapter", "ERANGE")]
    [InlineData("unassign_domain", "0x100", "attrs[0].unassign_domain", "ENODEV")]
    public void AnAttributeTheKernelWouldRefuseIsNamedWithItsMemberAndWhy(string name, string value, string member, string why)
    {
        var m = MdevctlMatrix.Of(new MdevctlDefinition(StartMode.Manual, [new(name, value)]));

        var problem = Assert.Single(m.Problems);
        Assert.Equal(member, problem.Member);
        Assert.Contains(why, problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TheExportKeepsTheImportedFormWhileItGivesTheMatrixAndTakesStartFromTheDefinition()
    {
        var form = MdevctlJson.Parse(Fixture("manual-hex")).Definition!;
        var assignment = new Assignment(ApMask.Of([5]), ApMask.Of([6, 10]), ApMask.Of([10]));
        var device = Device(assignment) with { Mdevctl = form };

        Assert.Same(form, MdevctlMatrix.ForExport(device, null));
        var auto = new MdevctlDefinition(StartMode.Auto, [new("assign_adapter", "5")]);
        var exported = MdevctlMatrix.ForExport(device, auto);
        Assert.Equal(StartMode.Auto, exported.Start);
        Assert.Equal(form.Attributes.ToArray(), exported.Attributes.ToArray());
    }

    [Fact]
    public void AMatrixChangedSinceTheImportGetsCanonicalAttributesAndKeepsItsStart()
    {
        var form = MdevctlJson.Parse(Fixture("manual-hex")).Definition!;
        var device = Device(new Assignment(ApMask.Of([5, 9]), ApMask.Of([6, 10]), ApMask.Of([10]))) with { Mdevctl = form };

        var exported = MdevctlMatrix.ForExport(device, null);

        Assert.Equal(MdevctlDefinition.FromAssignment(device.Assignment, StartMode.Manual), exported);
    }

    [Fact]
    public void ADeviceWithNeitherFormNorDefinitionIsManualAsMdevctlListsIt() =>
        Assert.Equal(StartMode.Manual, MdevctlMatrix.ForExport(Device(default), null).Start);

    [Fact]
    public void TheListDumpjsonOutputReadsAsDevicesAndWritesBackAsTheListing()
    {
        var stdout = Fixture("list-defined-dumpjson.stdout");
        using var json = JsonDocument.Parse(stdout);
        var errors = new Dictionary<string, string>();

        var devices = MdevctlImportReader.Read(json.RootElement, "definitions", named: false, errors);

        Assert.Empty(errors);
        Assert.Equal(5, devices.Count);
        var listing = MdevctlListing.Write(devices.Select(d => new DefinedDevice(d.Id, d.Definition)));
        Assert.Equal(stdout, listing.Append((byte)10).ToArray());
    }

    [Fact]
    public void TheReaderListsEveryOffenderByJsonPath()
    {
        using var json = JsonDocument.Parse("""
            [{"uuid":"11111111-1111-4111-8111-111111111111","mdevctl":{"mdev_type":"vfio_ap-passthrough","start":"bogus","attrs":[{"assign_adaptor":"1"}]}},
             {"uuid":"nope","mdevctl":{}},
             {"other":[]},
             {"matrix":[{"22222222-2222-4222-8222-222222222222":{"mdev_type":"vfio-pci","start":"auto"}}]}]
            """);
        var errors = new Dictionary<string, string>();

        MdevctlImportReader.Read(json.RootElement, "mdevs", named: true, errors);

        Assert.Equal(
            ["$.mdevs[0].mdevctl.attrs[0].assign_adaptor", "$.mdevs[0].mdevctl.start", "$.mdevs[1].uuid", "$.mdevs[2].other",
                "$.mdevs[3].matrix[0].22222222-2222-4222-8222-222222222222.mdev_type"],
            errors.Keys.Order(StringComparer.Ordinal));
    }

    private static MatrixDevice Device(Assignment assignment) =>
        new(new HostDevice(MdevId.Parse("11111111-1111-4111-8111-111111111111"), assignment, default, null), null, 1);
}
