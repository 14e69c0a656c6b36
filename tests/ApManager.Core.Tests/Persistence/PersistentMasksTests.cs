using ApManager.Core.Masks;
using ApManager.Core.Persistence;
using ApManager.Core.Refusals;
using static ApManager.Core.Tests.Persistence.Fixture;

namespace ApManager.Core.Tests.Persistence;

/// <summary>chzdev's <c>41-ap.rules</c> for device type <c>ap</c> (fact sheet §4, §3.5) and mask writes to it.</summary>
public class PersistentMasksTests
{
    private static readonly ApMask Apm = ApMask.Of(0, 1, 2, 3, 8);
    private static readonly ApMask Aqm = ApMask.Range(0, 15);

    private static PersistentMasks Read(byte[] bytes)
    {
        var result = ApRulesFile.Parse(bytes);
        Assert.True(result.Success, result.Problem);
        return result.Masks!;
    }

    [Theory]
    [InlineData("41-ap.rules", RulesFileLayout.Current)]
    [InlineData("41-ap.rules.pre-2.40", RulesFileLayout.BeforeV240)]
    public void ARulesFileChzdevWroteReadsAndWritesBackByteIdentical(string fixture, RulesFileLayout layout)
    {
        var bytes = Bytes(fixture);

        var masks = Read(bytes);

        Assert.Equal(new PersistentMasks(Apm, Aqm, layout), masks);
        Assert.Equal(bytes, ApRulesFile.Write(masks));
    }

    [Fact]
    public void NewMasksAreWrittenAsChzdevV240WritesThem()
    {
        Assert.Equal(Bytes("41-ap.rules"), ApRulesFile.Write(new PersistentMasks(Apm, Aqm)));
    }

    [Fact]
    public void AMaskMissingFromTheFileIsNullAndOmittedOnWrite()
    {
        var onlyAqmask = new PersistentMasks(null, Aqm);

        var text = System.Text.Encoding.UTF8.GetString(ApRulesFile.Write(onlyAqmask)!);

        Assert.DoesNotContain("apmask", text, StringComparison.Ordinal);
        Assert.Equal(onlyAqmask, Read(Utf8(text)));
        Assert.Equal(ApMask.All, onlyAqmask.BootApmask(ApMask.All));
        Assert.Equal(Aqm, onlyAqmask.BootAqmask(ApMask.All));
    }

    [Fact]
    public void WithNeitherMaskThereIsNoFile()
    {
        Assert.Null(ApRulesFile.Write(PersistentMasks.None));
        Assert.Null(ApRulesFile.Write(new PersistentMasks(Apm, Aqm).Without(apmask: true, aqmask: true)));
    }

    [Fact]
    public void AHandEditedFileIsReadAsLibapReadsItAndRewrittenInTheCurrentLayout()
    {
        var edited = Utf8("# mine\n\n  ATTR{../../bus/ap/aqmask}=\"0xFFFF\"\nATTR{other}=\"1\", ATTR{apmask}=\"0x1\"\nENV{X}=\"apmask\"\n");

        var masks = Read(edited);

        Assert.Equal(new PersistentMasks(null, ApMask.Range(0, 15), RulesFileLayout.Other), masks);
        Assert.Equal(ApRulesFile.Write(masks with { Layout = RulesFileLayout.Current }), ApRulesFile.Write(masks));
    }

    [Theory]
    [InlineData("ATTR{../../bus/ap/apmask}=\"0xzz\"\n", 1)]
    [InlineData("# x\nATTR{../../bus/ap/aqmask}=\"+5\"\n", 2)]
    [InlineData("ATTR{../../bus/ap/apmask}=\"\"\n", 1)]
    public void AMaskValueTheKernelWouldRefuseIsRefusedNamingItsLine(string text, int line)
    {
        var result = ApRulesFile.Parse(Utf8(text));

        Assert.False(result.Success);
        Assert.Equal(line, result.Line);
        Assert.Null(result.Masks);
    }

    [Fact]
    public void ARelativeWriteEditsThePersistentValue()
    {
        var masks = new PersistentMasks(Apm, Aqm);

        Assert.Null(masks.TryApply(In("-0-1,+200"), In("+16"), ApMask.Empty, ApMask.Empty, out var next));

        Assert.Equal(ApMask.Of(2, 3, 8, 200), next.Apmask);
        Assert.Equal(ApMask.Range(0, 16), next.Aqmask);
    }

    [Fact]
    public void ARelativeWriteToAMaskTheFileLacksEditsTheActiveValue()
    {
        var masks = new PersistentMasks(null, Aqm);

        Assert.Null(masks.TryApply(In("-5"), null, ApMask.Range(0, 7), ApMask.Empty, out var next));

        Assert.Equal(ApMask.Of(0, 1, 2, 3, 4, 6, 7), next.Apmask);
        Assert.Equal(Aqm, next.Aqmask);
    }

    [Fact]
    public void AnAbsoluteWriteReplacesAndAMaskNotWrittenStaysAbsent()
    {
        Assert.Null(PersistentMasks.None.TryApply(In("0xf0"), null, ApMask.All, ApMask.All, out var next));

        Assert.Equal(new PersistentMasks(ApMask.Range(0, 3), null), next);
    }

    [Fact]
    public void AWriteThatDoesNotParseIsRefusedLikeSysfsAndChangesNothing()
    {
        var masks = new PersistentMasks(Apm, Aqm);

        var refusal = masks.TryApply(In("+0"), In("+1,x"), ApMask.Empty, ApMask.Empty, out var next);

        Assert.Equal(new InvalidMask("aqmask", "+1,x", Errno.EINVAL, 3), refusal);
        Assert.Same(masks, next);
    }

    private static MaskInput In(string text) => MaskInput.FromString(text);
}
