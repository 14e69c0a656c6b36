using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Persistence;
using static ApManager.Core.Tests.Persistence.BootRulesTests;

namespace ApManager.Core.Tests.Persistence;

/// <summary>What comes back after a reboot (fact sheet §5, §1.6) on the demo configuration (adapters 3–7, usage domains 4, 5, 6, 71, 72).</summary>
public class BootPreviewTests
{
    private static readonly PersistentMasks Masks = new(ApMask.All.Without(5).Without(6), ApMask.All);

    private static BootPreview Preview(params DefinedDevice[] definitions) => Preview(Masks, definitions);

    private static BootPreview Preview(PersistentMasks masks, params DefinedDevice[] definitions) =>
        BootPreview.Of(masks, ApMask.All, ApMask.All, definitions, HostTopology.Demo, maxDevices: 8);

    [Fact]
    public void AutostartDefinitionsStartWithTheirMatricesAndGuestMatricesManualOnesDoNot()
    {
        var preview = Preview(
            new DefinedDevice(A, Auto(("assign_adapter", "5"), ("assign_domain", "4"), ("assign_domain", "0x47"), ("assign_control_domain", "4"))),
            new DefinedDevice(B, Def(StartMode.Manual, ("assign_adapter", "6"), ("assign_domain", "4"))));

        var device = Assert.Single(preview.Started);
        Assert.Equal(A, device.Id);
        Assert.Equal(new Assignment(ApMask.Of(5), ApMask.Of(4, 71), ApMask.Of(4)), device.Assignment);
        Assert.Equal(new GuestMatrix(ApMask.Of(5), ApMask.Of(4, 71), ApMask.Of(4)), device.GuestMatrix);
        Assert.Equal([B], preview.Manual);
        Assert.Empty(preview.Failed);
        Assert.Null(preview.Conflicts);
        Assert.Equal(device.Assignment, preview.State.Device(A)?.Assignment);
    }

    [Fact]
    public void MasksComeFromTheRulesFileAndMissingOnesFromTheKernelDefault()
    {
        var preview = Preview(new PersistentMasks(null, ApMask.Range(0, 3)));

        Assert.Equal(ApMask.All, preview.Apmask);
        Assert.Equal(ApMask.Range(0, 3), preview.Aqmask);
        Assert.Equal(preview.Apmask, preview.State.Apmask);
    }

    [Fact]
    public void TheKernelAppliesUnassignEntriesInOrder()
    {
        var preview = Preview(new DefinedDevice(A, Auto(("assign_adapter", "5"), ("assign_adapter", "6"), ("unassign_adapter", "6"), ("assign_domain", "4"))));

        Assert.Equal(ApMask.Of(5), Assert.Single(preview.Started).Assignment.Adapters);
    }

    [Fact]
    public void AnAttributeTheKernelRefusesStopsTheStartAndRemovesTheDevice()
    {
        // ap-check reads "4,5" as two domains; the kernel's kstrtoul refuses it.
        var preview = Preview(new DefinedDevice(A, Auto(("assign_adapter", "5"), ("assign_domain", "4,5"), ("assign_domain", "71"))));

        var failure = Assert.Single(preview.Failed);
        Assert.Equal((A, BootStep.Attribute, Errno.EINVAL, 1), (failure.Id, failure.Step, failure.Errno, failure.AttributeIndex));
        Assert.Equal(new MdevctlAttribute("assign_domain", "4,5"), failure.Attribute);
        Assert.Empty(preview.Started);
        Assert.Null(preview.State.Device(A));
    }

    [Fact]
    public void AnIdAboveTheConfigurationsMaximumFailsWithEnodev()
    {
        var preview = Preview(new DefinedDevice(A, Auto(("assign_adapter", "5"), ("assign_domain", "85"))));

        var failure = Assert.Single(preview.Failed);
        Assert.Equal((BootStep.Attribute, Errno.ENODEV, 1), (failure.Step, failure.Errno, failure.AttributeIndex));
    }

    [Fact]
    public void AnAttributeTheDeviceDoesNotHaveFailsWithItsName()
    {
        var preview = Preview(new DefinedDevice(A, Auto(("assign_adapter", "5"), ("frobnicate", "1"))));

        var failure = Assert.Single(preview.Failed);
        Assert.Equal((Errno.ENOENT, 1), (failure.Errno, failure.AttributeIndex));
        Assert.Contains("frobnicate", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ApqnsTheBootMasksGiveTheHostAreRefusedByApCheckBeforeCreateListingEveryOne()
    {
        var preview = Preview(new DefinedDevice(A, Auto(("assign_adapter", "3"), ("assign_adapter", "4"), ("assign_domain", "4"))));

        var failure = Assert.Single(preview.Failed);
        Assert.Equal((BootStep.ApCheck, Errno.EADDRNOTAVAIL), (failure.Step, failure.Errno));
        Assert.Equal([new(Apqn.Parse("03.0004"), A, null), new(Apqn.Parse("04.0004"), A, null)], failure.Offenders);
        Assert.Equal(2, preview.Conflicts?.OwnedByHost.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OfTwoDefinitionsSharingAnApqnTheFirstInOrderStartsAndBothAreNamedInTheConflicts(bool aFirst)
    {
        var shared = Auto(("assign_adapter", "5"), ("assign_domain", "4"));
        DefinedDevice a = new(A, shared), b = new(B, shared);

        var preview = aFirst ? Preview(a, b) : Preview(b, a);

        Assert.Equal(aFirst ? A : B, Assert.Single(preview.Started).Id);
        Assert.Equal(aFirst ? B : A, Assert.Single(preview.Failed).Id);
        Assert.Equal([A, B], preview.Conflicts?.Definitions);
    }

    [Fact]
    public void ASecondDeviceOnStartedApqnsIsRefusedByApCheckWithTheDeviceHoldingThem()
    {
        var preview = Preview(new DefinedDevice(B, Auto(("assign_adapter", "5"), ("assign_domain", "4"))),
            new DefinedDevice(A, Auto(("assign_adapter", "5"), ("assign_domain", "4"), ("assign_domain", "5"))));

        var failure = Assert.Single(preview.Failed);
        Assert.Equal((A, BootStep.ApCheck, Errno.EADDRINUSE), (failure.Id, failure.Step, failure.Errno));
        Assert.Equal([new(Apqn.Parse("05.0004"), A, B)], failure.Offenders);
    }

    [Fact]
    public void ControlDomainsWithoutUsageDomainsAreRefusedByApCheck()
    {
        var preview = Preview(new DefinedDevice(A, Auto(("assign_adapter", "5"), ("assign_control_domain", "4"))));

        Assert.Equal(BootStep.ApCheck, Assert.Single(preview.Failed).Step);
    }

    [Fact]
    public void AdaptersAndDomainsTheConfigurationNoLongerHasStartButAreReportedAndHiddenFromTheGuest()
    {
        var preview = Preview(Masks with { Apmask = Masks.Apmask!.Value.Without(9) }, new DefinedDevice(A, Auto(("assign_adapter", "5"), ("assign_adapter", "9"), ("assign_domain", "4"), ("assign_domain", "7"))));

        var device = Assert.Single(preview.Started);
        Assert.Equal(ApMask.Of(9), device.MissingAdapters);
        Assert.Equal(ApMask.Of(7), device.MissingDomains);
        Assert.Equal(new GuestMatrix(ApMask.Of(5), ApMask.Of(4), ApMask.Empty), device.GuestMatrix);
    }

    [Fact]
    public void MoreAutostartDefinitionsThanInstancesFailAtCreateWithEusers()
    {
        var definitions = Enumerable.Range(1, 9)
            .Select(i => new DefinedDevice(MdevId.Parse($"00000000-0000-4000-8000-{i:D12}"), Auto()))
            .ToArray();

        var preview = Preview(definitions);

        Assert.Equal(8, preview.Started.Count);
        Assert.Equal((BootStep.Create, Errno.EUSERS), (preview.Failed[0].Step, preview.Failed[0].Errno));
    }

    [Fact]
    public void ApConfigIsWrittenAsOneWholeAssignment()
    {
        var apConfig = $"{ApMask.Of(5)},{ApMask.Of(4, 5)},{ApMask.Of(4)}";

        var preview = Preview(new DefinedDevice(A, Auto(("ap_config", apConfig))));

        Assert.Equal(new Assignment(ApMask.Of(5), ApMask.Of(4, 5), ApMask.Of(4)), Assert.Single(preview.Started).Assignment);
    }
}
