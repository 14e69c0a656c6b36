using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Persistence;

namespace ApManager.Core.Tests.Persistence;

/// <summary>ap-check's define/modify checks and chzdev's persistent mask check (fact sheet §3.3–3.5, §4), complete.</summary>
public class BootRulesTests
{
    internal static readonly MdevId A = MdevId.Parse("0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11");
    internal static readonly MdevId B = MdevId.Parse("5d2e8a41-93c7-4f0b-8b6e-2c4f1a7d9e30");
    internal static readonly MdevId C = MdevId.Parse("c0ffee00-0000-4000-8000-000000000001");

    private static readonly ApMask HostApmask = ApMask.All.Without(5).Without(6).Without(7);

    internal static MdevctlDefinition Def(StartMode start, params (string Name, string Value)[] attrs) =>
        new(start, attrs.Select(a => new MdevctlAttribute(a.Name, a.Value)));

    internal static MdevctlDefinition Auto(params (string Name, string Value)[] attrs) => Def(StartMode.Auto, attrs);

    private static DefinitionOffender Shared(string apqn, MdevId id, MdevId other) => new(Apqn.Parse(apqn), id, other);

    private static DefinitionOffender Host(string apqn, MdevId id) => new(Apqn.Parse(apqn), id, null);

    [Fact]
    public void AnAutostartDefinitionListsEveryApqnSharedWithEveryOtherAutostartDefinitionAndEveryHostOwnedOne()
    {
        var candidate = Auto(("assign_adapter", "5"), ("assign_adapter", "3"), ("assign_domain", "4"), ("assign_domain", "0x47"));
        DefinedDevice[] others =
        [
            new(B, Auto(("assign_adapter", "5"), ("assign_domain", "4"), ("assign_domain", "71"))),
            new(C, Auto(("assign_adapter", "5"), ("assign_domain", "71"))),
        ];

        var conflict = BootRules.CheckDefinition(A, candidate, HostApmask, ApMask.All, others);

        Assert.NotNull(conflict);
        Assert.Equal([Shared("05.0004", A, B), Shared("05.0047", A, B), Shared("05.0047", A, C)], conflict.Shared);
        Assert.Equal([Host("03.0004", A), Host("03.0047", A)], conflict.OwnedByHost);
        Assert.Equal(Errno.EADDRINUSE, conflict.Errno);
        Assert.Equal("definition-conflict", conflict.Code);
        Assert.Equal([A, B, C], conflict.Definitions);
    }

    [Fact]
    public void OnlyHostOwnedApqnsGiveEaddrnotavail()
    {
        var conflict = BootRules.CheckDefinition(A, Auto(("assign_adapter", "3"), ("assign_domain", "4")), HostApmask, ApMask.All, []);

        Assert.Equal(Errno.EADDRNOTAVAIL, conflict?.Errno);
        Assert.Equal([Host("03.0004", A)], conflict!.OwnedByHost);
    }

    [Fact]
    public void ManualDefinitionsAreNeitherCheckedNorCheckedAgainst()
    {
        var shared = Auto(("assign_adapter", "3"), ("assign_domain", "4"));

        Assert.Null(BootRules.CheckDefinition(A, shared with { Start = StartMode.Manual }, HostApmask, ApMask.All, [new(B, shared)]));
        Assert.Null(BootRules.CheckDefinition(A, Auto(("assign_adapter", "5"), ("assign_domain", "4")), HostApmask, ApMask.All,
            [new(B, Def(StartMode.Manual, ("assign_adapter", "5"), ("assign_domain", "4")))]));
    }

    [Fact]
    public void TheDefinitionsOwnEarlierVersionIsNotAConflict()
    {
        var definition = Auto(("assign_adapter", "5"), ("assign_domain", "4"));

        Assert.Null(BootRules.CheckDefinition(A, definition, HostApmask, ApMask.All, [new(A, definition)]));
    }

    [Fact]
    public void UnassignEntriesDoNotRemoveApqnsBecauseApCheckIgnoresThem()
    {
        var candidate = Auto(("assign_adapter", "5"), ("assign_domain", "4"), ("unassign_adapter", "5"));

        var conflict = BootRules.CheckDefinition(A, candidate, HostApmask, ApMask.All, [new(B, Auto(("assign_adapter", "5"), ("assign_domain", "4")))]);

        Assert.Equal([Shared("05.0004", A, B)], conflict?.Shared);
    }

    [Fact]
    public void ControlDomainsAreNeverAConflict()
    {
        Assert.Null(BootRules.CheckDefinition(A, Auto(("assign_adapter", "5"), ("assign_domain", "4"), ("assign_control_domain", "1")), HostApmask, ApMask.All,
            [new(B, Auto(("assign_adapter", "6"), ("assign_domain", "4"), ("assign_control_domain", "1")))]));
    }

    [Fact]
    public void APersistentMaskChangeListsEveryNewlyHostOwnedApqnOfEveryAutostartDefinition()
    {
        DefinedDevice[] definitions =
        [
            new(A, Auto(("assign_adapter", "5"), ("assign_domain", "4"), ("assign_domain", "5"))),
            new(B, Auto(("assign_adapter", "6"), ("assign_domain", "4"))),
            new(C, Def(StartMode.Manual, ("assign_adapter", "5"), ("assign_domain", "6"))),
        ];

        var conflict = BootRules.CheckMasks(HostApmask, ApMask.All, HostApmask.With(5).With(6), ApMask.All, definitions);

        Assert.Equal([Host("05.0004", A), Host("05.0005", A), Host("06.0004", B)], conflict?.OwnedByHost);
        Assert.Empty(conflict!.Shared);
        Assert.Equal(Errno.EADDRNOTAVAIL, conflict.Errno);
    }

    [Fact]
    public void ClearingMaskBitsIsNeverRefusedEvenWhenTheSetIsAlreadyBroken()
    {
        DefinedDevice[] definitions = [new(A, Auto(("assign_adapter", "3"), ("assign_domain", "4")))];

        Assert.Null(BootRules.CheckMasks(HostApmask, ApMask.All, HostApmask.Without(8), ApMask.All.Without(9), definitions));
    }

    [Fact]
    public void CheckingAWholeSetListsEveryPairSharingAnApqnOnceAndEveryHostOwnedApqn()
    {
        var same = Auto(("assign_adapter", "5"), ("assign_domain", "4"));
        DefinedDevice[] definitions = [new(C, same), new(B, same), new(A, same), new(A, Auto(("assign_adapter", "3"), ("assign_domain", "6")))];

        var conflict = BootRules.CheckAll(HostApmask, ApMask.All, definitions);

        Assert.Equal([Shared("05.0004", A, B), Shared("05.0004", A, C), Shared("05.0004", B, C)], conflict?.Shared);
        Assert.Equal([Host("03.0006", A)], conflict!.OwnedByHost);
    }
}
