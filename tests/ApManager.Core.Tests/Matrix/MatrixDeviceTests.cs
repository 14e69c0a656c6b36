using ApManager.Core.Host;
using ApManager.Core.Matrix;
using ApManager.Core.Refusals;
using ApManager.Core.State;
using static ApManager.Core.Tests.Support.Demo;

namespace ApManager.Core.Tests.Matrix;

/// <summary>SPEC §5 and §6: creating, assigning, configuring, deleting matrix devices; attaching guests.</summary>
public class MatrixDeviceTests
{
    // ------------------------------------------------------------------ create

    [Fact]
    public void CreatingWithAGivenIdAddsAnEmptyDeviceWithoutGuestInOneStep()
    {
        var system = NewSystem();

        var change = system.CreateMdev(C, "batch-c").Ok();

        var device = change.Device!;
        Assert.True(change.Changed);
        Assert.Equal((C, "batch-c", Assignment.Empty, (string?)null, 2L), (device.Id, device.Name, device.Assignment, device.Guest, device.Version));
        Assert.Empty(device.Assignment.Matrix);
        Assert.Empty(device.Shadow.Apqns);
        Assert.Equal(2, system.Current.Version);
        Assert.Same(device, system.Current.Mdev(C));
        Assert.Equal([A, B, C], system.Current.Mdevs.Select(m => m.Id));
        Assert.Equal(1, system.Current.Bus.Version);
    }

    [Theory]
    [InlineData("0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11")]
    [InlineData("0B1F7C3E-2D4A-4E55-9F1D-7A0C2B9E6D11")]
    public void CreatingAnExistingIdIsMdevExistsAndChangesNothing(string uuid)
    {
        var system = NewSystem();
        var before = system.Current;

        var refusal = system.CreateMdev(MdevId.Parse(uuid), "again").Refused<MdevExists>();

        Assert.Equal(new MdevExists(A), refusal);
        Assert.Same(before, system.Current);
        Assert.Equal("payments-a", system.Mdev(A).Name);
    }

    [Fact]
    public void CreatingWithoutAnIdPicksARandomVersion4UuidInCanonicalForm()
    {
        var system = NewSystem();

        var device = system.CreateMdev(null, null).Ok().Device!;

        Assert.Equal(4, device.Id.ToGuid().Version);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$", device.Id.ToString());
        Assert.Equal(3, system.Current.Mdevs.Count);
    }

    [Fact]
    public void NamesAreOptionalNotUniqueAtMost64CharactersWithoutControlCharacters()
    {
        var system = NewSystem();
        var before = system.Current;

        var tooLong = system.CreateMdev(C, new string('n', 65)).Refused<InvalidInput>();
        var control = system.CreateMdev(C, "tab\there").Refused<InvalidInput>();

        Assert.Equal("name", tooLong.Field);
        Assert.Equal("name", control.Field);
        Assert.Same(before, system.Current);
        Assert.Equal(new string('n', 64), system.CreateMdev(C, new string('n', 64)).Ok().Device!.Name);
        Assert.Equal("payments-a", system.CreateMdev(null, "payments-a").Ok().Device!.Name);
    }

    [Fact]
    public void CreateComparesIfMatchWithTheGlobalVersion()
    {
        var system = NewSystem();
        system.Apmask("-7").Ok();

        var refusal = system.CreateMdev(C, null, new WriteOptions(IfMatch: 1)).Refused<VersionMismatch>();

        Assert.Equal(new VersionMismatch("global", 1, 2), refusal);
        Assert.Equal(3, system.CreateMdev(C, null, new WriteOptions(IfMatch: 2)).Ok().Device!.Version);
    }

    // ------------------------------------------------------------------ assign: check 1, range

    [Theory]
    [InlineData(AssignTarget.Adapter, 64, "adapter", 63)]
    [InlineData(AssignTarget.Adapter, 256, "adapter", 63)]
    [InlineData(AssignTarget.Adapter, -1, "adapter", 63)]
    [InlineData(AssignTarget.Domain, 85, "domain", 84)]
    [InlineData(AssignTarget.ControlDomain, 85, "control-domain", 84)]
    [InlineData(AssignTarget.ControlDomain, 4096, "control-domain", 84)]
    public void AnIdAboveTheHostMaximumIsOutOfRangeForAssignAndUnassign(AssignTarget target, long id, string kind, int max)
    {
        var system = NewSystem();
        var before = system.Current;

        var assign = system.Assign(A, target, id, assign: true).Refused<IdOutOfRange>();
        var unassign = system.Assign(A, target, id, assign: false).Refused<IdOutOfRange>();

        foreach (var refusal in new[] { assign, unassign })
        {
            Assert.Equal((kind, max), (refusal.Kind, refusal.Max));
            Assert.Equal([id], refusal.Ids);
        }
        Assert.Same(before, system.Current);
    }

    [Fact]
    public void TheHighestIdsInRangeAreAccepted()
    {
        var system = NewSystem();
        system.CreateMdev(C, null).Ok();

        system.AssignAdapter(C, 63).Ok();
        system.Assign(C, AssignTarget.ControlDomain, 84, true).Ok();

        Assert.Equal([63], system.Mdev(C).Adapters.ToArray());
        Assert.Equal([84], system.Mdev(C).ControlDomains.ToArray());
    }

    [Fact]
    public void AssignChecksTheDeviceAndIfMatchBeforeTheRange()
    {
        var system = NewSystem();

        var missing = system.Assign(C, AssignTarget.Adapter, 999, true).Refused<NotFound>();
        var stale = system.Assign(A, AssignTarget.Adapter, 999, true, new WriteOptions(IfMatch: 5)).Refused<VersionMismatch>();

        Assert.Equal(new NotFound("mdev", C.ToString()), missing);
        Assert.Equal(new VersionMismatch("mdev", 5, 1), stale);
    }

    // ------------------------------------------------------------------ assign: check 2, already assigned

    [Fact]
    public void AssigningAnAlreadyAssignedIdChangesNothingAndRunsNoFurtherCheck()
    {
        // Break I2 on purpose (SPEC §10.1): without vfio_ap nobody objects to adapter 5 joining the host.
        var system = NewSystem();
        system.UnregisterDriver("vfio_ap");
        system.Apmask("+5").Ok();
        var before = system.Current;
        var device = system.Mdev(A);

        var sameAdapter = system.AssignAdapter(A, 5).Ok();
        var sameDomain = system.AssignDomain(A, 71).Ok();

        Assert.False(sameAdapter.Changed);
        Assert.False(sameDomain.Changed);
        Assert.Same(device, sameAdapter.Device);
        Assert.Same(before, system.Current);

        // A new id does run check 3, over the full matrix with the id added.
        var refusal = system.AssignDomain(A, 5).Refused<ApqnOwnedByHost>();
        Assert.Equal(A, refusal.Mdev);
        Assert.Equal(["05.0004 cex4queue - -", "05.0005 cex4queue - -", "05.0047 cex4queue - -"], Describe(refusal.Offenders));
        Assert.Same(before, system.Current);
    }

    // ------------------------------------------------------------------ assign: check 3, owned by host

    [Fact]
    public void AssigningAnAdapterTheHostOwnsListsEveryOwnedApqnEvenWhereNoQueueExists()
    {
        var system = NewSystem();
        system.CreateMdev(C, null).Ok();
        system.AssignDomain(C, 4).Ok();
        system.AssignDomain(C, 5).Ok();
        system.AssignDomain(C, 80).Ok();
        var before = system.Current;

        var adapter3 = system.AssignAdapter(C, 3).Refused<ApqnOwnedByHost>();
        var adapter9 = system.AssignAdapter(C, 9).Refused<ApqnOwnedByHost>();

        Assert.Equal(C, adapter3.Mdev);
        Assert.Equal(["03.0004 cex4queue - -", "03.0005 cex4queue - -", "03.0050 cex4queue - -"], Describe(adapter3.Offenders));
        Assert.Equal(["09.0004 cex4queue - -", "09.0005 cex4queue - -", "09.0050 cex4queue - -"], Describe(adapter9.Offenders));
        Assert.Same(before, system.Current);
        Assert.True(system.Mdev(C).Adapters.IsEmpty);
    }

    [Fact]
    public void AssigningADomainTheHostOwnsListsEveryOwnedApqnAcrossTheDevicesAdapters()
    {
        var system = NewSystem();
        system.CreateMdev(C, null).Ok();
        system.AssignAdapter(C, 3).Ok();
        system.AssignAdapter(C, 4).Ok();
        system.AssignAdapter(C, 7).Ok();

        var refusal = system.AssignDomain(C, 72).Refused<ApqnOwnedByHost>();

        Assert.Equal(["03.0048 cex4queue - -", "04.0048 cex4queue - -", "07.0048 cex4queue - -"], Describe(refusal.Offenders));
    }

    [Fact]
    public void OwnedByHostIsCheckedBeforeConflict()
    {
        var system = NewSystem();
        system.CreateMdev(C, null).Ok();
        system.AssignAdapter(C, 3).Ok();
        system.AssignAdapter(C, 5).Ok();

        var refusal = system.AssignDomain(C, 4).Refused<ApqnOwnedByHost>();

        Assert.Equal(["03.0004 cex4queue - -"], Describe(refusal.Offenders));
    }

    // ------------------------------------------------------------------ assign: check 4, conflict

    [Fact]
    public void AddingADomainOverlappingOtherDevicesListsEveryOverlappingApqnWithItsDeviceAndGuest()
    {
        var system = NewSystem();
        system.CreateMdev(C, null).Ok();
        system.AssignAdapter(C, 5).Ok();   // no domains yet: passes checks 3 and 4
        system.AssignAdapter(C, 6).Ok();
        var before = system.Current;

        var domain4 = system.AssignDomain(C, 4).Refused<ApqnConflict>();
        var domain71 = system.AssignDomain(C, 71).Refused<ApqnConflict>();

        Assert.Equal(C, domain4.Mdev);
        Assert.Equal([$"05.0004 vfio_ap {A} guest-a", $"06.0004 vfio_ap {B} -"], Describe(domain4.Offenders));
        Assert.Equal([$"05.0047 vfio_ap {A} guest-a"], Describe(domain71.Offenders));
        Assert.Same(before, system.Current);

        system.AssignDomain(C, 5).Ok();
        Assert.Equal([Q("05.0005"), Q("06.0005")], system.Mdev(C).Assignment.Matrix);
    }

    [Fact]
    public void AddingAnAdapterInUseByAnotherDeviceReturnsConflictListingEveryApqn()
    {
        var system = NewSystem();
        system.CreateMdev(C, null).Ok();
        system.AssignDomain(C, 4).Ok();
        system.AssignDomain(C, 71).Ok();
        system.AssignDomain(C, 72).Ok();

        var refusal = system.AssignAdapter(C, 5).Refused<ApqnConflict>();

        Assert.Equal([$"05.0004 vfio_ap {A} guest-a", $"05.0047 vfio_ap {A} guest-a"], Describe(refusal.Offenders));
    }

    // ------------------------------------------------------------------ over-provisioning, control domains, unassign

    [Fact]
    public void OverProvisionedAdaptersAndDomainsAreAllowedAndCountAsInUse()
    {
        var system = NewSystem();
        system.Apmask("-9").Ok();
        system.CreateMdev(C, null).Ok();

        system.AssignAdapter(C, 9).Ok();     // not in the topology
        system.AssignDomain(C, 80).Ok();     // not a host usage domain
        system.AssignDomain(C, 5).Ok();
        system.AssignDomain(A, 80).Ok();

        Assert.Equal([Q("09.0005"), Q("09.0050")], system.Mdev(C).Assignment.Matrix);
        Assert.Empty(system.Mdev(C).Shadow.Apqns);
        Assert.Equal([Q("05.0004"), Q("05.0047"), Q("05.0050")], system.Mdev(A).Assignment.Matrix);
        Assert.Equal([Q("05.0004"), Q("05.0047")], system.Mdev(A).Shadow.Apqns);
        Assert.Null(system.Current.Queue(Q("09.0005")));
        Assert.Null(system.Current.Queue(Q("05.0050")));

        var refusal = system.Apmask("+9").Refused<QueuesInUse>();
        Assert.Equal([$"09.0005 vfio_ap {C} -", $"09.0050 vfio_ap {C} -"], Describe(refusal.Offenders));
    }

    [Fact]
    public void ControlDomainsAreRangeCheckedOnlyAndMayBeShared()
    {
        var system = NewSystem();
        system.CreateMdev(C, null).Ok();
        system.AssignAdapter(C, 3).Ok();     // host-owned adapter, harmless without usage domains

        system.Assign(C, AssignTarget.ControlDomain, 4, true).Ok();    // shared with A and B
        system.Assign(C, AssignTarget.ControlDomain, 71, true).Ok();   // host-owned as a usage domain
        system.Assign(C, AssignTarget.ControlDomain, 80, true).Ok();

        Assert.Equal([4, 71, 80], system.Mdev(C).ControlDomains.ToArray());
        Assert.Empty(system.Mdev(C).Assignment.Matrix);
        Assert.True(system.Mdev(C).Domains.IsEmpty);
        var version = system.Current.Version;
        Assert.False(system.Assign(C, AssignTarget.ControlDomain, 4, true).Ok().Changed);
        Assert.False(system.Assign(C, AssignTarget.ControlDomain, 5, false).Ok().Changed);
        Assert.Equal(version, system.Current.Version);
    }

    [Fact]
    public void UnassigningAnIdThatIsNotAssignedIsANoOp()
    {
        var system = NewSystem();
        var before = system.Current;

        var adapter = system.Assign(A, AssignTarget.Adapter, 7, false).Ok();
        var domain = system.Assign(A, AssignTarget.Domain, 5, false).Ok();

        Assert.False(adapter.Changed);
        Assert.False(domain.Changed);
        Assert.Same(before, system.Current);
    }

    [Fact]
    public void UnassigningWithAGuestAttachedHotUnplugsInOneStep()
    {
        var system = NewSystem();

        var device = system.Assign(A, AssignTarget.Domain, 71, false).Ok().Device!;

        Assert.Equal((2L, "guest-a"), (device.Version, device.Guest));
        Assert.Equal([Q("05.0004")], device.Assignment.Matrix);
        Assert.Equal([Q("05.0004")], device.Shadow.Apqns);
        Assert.Equal("05.0047 vfio_ap null null", system.Queue("05.0047").View());
        Assert.Equal("05.0004 vfio_ap A guest-a", system.Queue("05.0004").View());
        Assert.Equal(2, system.Current.Version);
    }

    // ------------------------------------------------------------------ replace config

    [Theory]
    [InlineData(new long[] { 64, 3, 100, 64 }, new long[] { 4 }, new long[0], "adapter", 63, new long[] { 64, 100 })]
    [InlineData(new long[] { 5 }, new long[] { 85, 4, 200, 85 }, new long[] { 4 }, "domain", 84, new long[] { 85, 200 })]
    [InlineData(new long[] { 5 }, new long[] { 4 }, new long[] { 90, 86, 4 }, "control-domain", 84, new long[] { 86, 90 })]
    public void ReplacingTheConfigWithIdsOutOfRangeInOneListNamesEveryBadIdOfThatKindAndChangesNothing(
        long[] adapters, long[] domains, long[] controlDomains, string kind, int max, long[] ids)
    {
        var system = NewSystem();
        var before = system.Current;

        var refusal = system.ReplaceConfig(A, adapters, domains, controlDomains).Refused<IdOutOfRange>();

        Assert.Equal((kind, max), (refusal.Kind, refusal.Max));
        Assert.Equal(ids, refusal.Ids);
        Assert.Empty(refusal.More);
        Assert.Same(before, system.Current);
    }

    [Fact]
    public void ReplacingTheConfigWithBadIdsOfEveryKindNamesEveryOffendingIdUnderItsOwnKind()
    {
        var system = NewSystem();
        var before = system.Current;

        var refusal = system.ReplaceConfig(A, [64, 5], [85, 4], [90]).Refused<IdOutOfRange>();

        Assert.Equal(["adapter 64 (max 63)", "control-domain 90 (max 84)", "domain 85 (max 84)"], NamedIds(refusal));
        Assert.Equal("adapter", refusal.Kind);
        Assert.Same(before, system.Current);
    }

    [Fact]
    public void ReplacingTheConfigWithABadDomainAndABadControlDomainKeepsTheirKindsApart()
    {
        var system = NewSystem();

        var refusal = system.ReplaceConfig(A, [5], [85], [90]).Refused<IdOutOfRange>();

        Assert.Equal(["control-domain 90 (max 84)", "domain 85 (max 84)"], NamedIds(refusal));
    }

    [Fact]
    public void ReplacingTheConfigChecksRangeBeforeOwnershipAndConflict()
    {
        var system = NewSystem();
        system.CreateMdev(C, null).Ok();

        var refusal = system.ReplaceConfig(C, [3, 5, 64], [4], []).Refused<IdOutOfRange>();

        Assert.Equal([64L], refusal.Ids);
    }

    [Fact]
    public void ReplacingTheConfigWithHostOwnedApqnsIsRefusedWhole()
    {
        var system = NewSystem();
        system.CreateMdev(C, null).Ok();
        system.Assign(C, AssignTarget.ControlDomain, 1, true).Ok();
        var before = system.Current;

        var refusal = system.ReplaceConfig(C, [3, 9], [4, 5], [2]).Refused<ApqnOwnedByHost>();

        Assert.Equal(["03.0004 cex4queue - -", "03.0005 cex4queue - -", "09.0004 cex4queue - -", "09.0005 cex4queue - -"], Describe(refusal.Offenders));
        Assert.Same(before, system.Current);
        Assert.Equal([1], system.Mdev(C).ControlDomains.ToArray());
    }

    [Fact]
    public void ReplacingTheConfigOverlappingOtherDevicesIsRefusedListingEveryOverlap()
    {
        var system = NewSystem();
        system.CreateMdev(C, null).Ok();
        var before = system.Current;

        var refusal = system.ReplaceConfig(C, [5, 6], [4, 5, 71], [4]).Refused<ApqnConflict>();

        Assert.Equal(
            [$"05.0004 vfio_ap {A} guest-a", $"05.0047 vfio_ap {A} guest-a", $"06.0004 vfio_ap {B} -"],
            Describe(refusal.Offenders));
        Assert.Same(before, system.Current);
    }

    [Fact]
    public void ReplacingTheConfigWithAnEqualTripleIgnoringDuplicatesAndOrderIsANoOp()
    {
        var system = NewSystem();
        var before = system.Current;

        var change = system.ReplaceConfig(A, [5, 5], [71, 4, 4], [71, 4]).Ok();

        Assert.False(change.Changed);
        Assert.Same(before.Mdev(A), change.Device);
        Assert.Same(before, system.Current);
    }

    [Fact]
    public void ReplacingTheConfigUnplugsRemovedAndPlugsAddedIdsInOneStep()
    {
        var system = NewSystem();

        var device = system.ReplaceConfig(A, [5], [4, 5, 6], [4]).Ok().Device!;

        Assert.Equal(2, system.Current.Version);
        Assert.Equal(2, device.Version);
        Assert.Equal([Q("05.0004"), Q("05.0005"), Q("05.0006")], device.Assignment.Matrix);
        Assert.Equal([Q("05.0004"), Q("05.0005"), Q("05.0006")], device.Shadow.Apqns);
        Assert.Equal([4], device.Shadow.ControlDomains.ToArray());
        Assert.Equal("05.0006 vfio_ap A guest-a", system.Queue("05.0006").View());
        Assert.Equal("05.0047 vfio_ap null null", system.Queue("05.0047").View());
        Assert.Equal(1, system.Queue("05.0004").Version);
        Assert.Equal(2, system.Queue("05.0047").Version);
    }

    [Fact]
    public void ReplacingTheConfigDoesNotConflictWithTheDevicesOwnApqns()
    {
        var system = NewSystem();

        var device = system.ReplaceConfig(A, [5], [4, 71, 72], [4, 71]).Ok().Device!;

        Assert.Equal([Q("05.0004"), Q("05.0047"), Q("05.0048")], device.Shadow.Apqns);
    }

    // ------------------------------------------------------------------ delete

    [Fact]
    public void DeletingADeviceWithAGuestIsMdevInUse()
    {
        var system = NewSystem();
        var before = system.Current;

        var refusal = system.DeleteMdev(A).Refused<MdevInUse>();

        Assert.Equal(new MdevInUse(A, "guest-a"), refusal);
        Assert.Same(before, system.Current);
    }

    [Fact]
    public void DeletingADeviceWithoutGuestFreesItsApqnsWhichStayOnVfioAp()
    {
        var system = NewSystem();

        var change = system.DeleteMdev(B).Ok();

        Assert.Null(change.Device);
        Assert.True(change.Changed);
        Assert.Null(system.Current.Mdev(B));
        Assert.Equal(2, system.Current.Version);
        Assert.Equal("06.0004 vfio_ap null null", system.Queue("06.0004").View());
        Assert.Equal(2, system.Queue("06.0004").Version);
        Assert.Equal(1, system.Mdev(A).Version);

        var joined = system.Apmask("+6").Ok();
        Assert.Equal(5, joined.Rebound.Count);
        Assert.Equal(new NotFound("mdev", B.ToString()), system.DeleteMdev(B).Refusal);
    }

    // ------------------------------------------------------------------ guests

    [Fact]
    public void AttachingTheSameGuestAgainIsANoOp()
    {
        var system = NewSystem();
        var before = system.Current;

        var change = system.AttachGuest(A, "guest-a").Ok();

        Assert.False(change.Changed);
        Assert.Same(before, system.Current);
    }

    [Fact]
    public void AttachingAnotherGuestToAnOccupiedDeviceIsMdevInUse()
    {
        var system = NewSystem();
        var before = system.Current;

        Assert.Equal(new MdevInUse(A, "guest-a"), system.AttachGuest(A, "guest-b").Refused<MdevInUse>());
        Assert.Same(before, system.Current);
    }

    [Fact]
    public void AttachingAGuestThatHoldsAnotherDeviceIsGuestHasMdev()
    {
        var system = NewSystem();
        var before = system.Current;

        Assert.Equal(new GuestHasMdev("guest-a", A), system.AttachGuest(B, "guest-a").Refused<GuestHasMdev>());
        Assert.Same(before, system.Current);
    }

    [Fact]
    public void AnOccupiedDeviceIsReportedBeforeAGuestHoldingAnotherDevice()
    {
        var system = NewSystem();
        system.AttachGuest(B, "guest-b").Ok();

        Assert.Equal(new MdevInUse(B, "guest-b"), system.AttachGuest(B, "guest-a").Refused<MdevInUse>());
    }

    [Fact]
    public void AttachingAFreeGuestShowsItOnTheDeviceTheGuestIndexAndTheQueues()
    {
        var system = NewSystem();

        var device = system.AttachGuest(B, "guest-b").Ok().Device!;

        Assert.Equal(("guest-b", 2L), (device.Guest, device.Version));
        Assert.Equal([Q("06.0004")], device.Shadow.Apqns);
        Assert.Equal(new Dictionary<string, MdevId> { ["guest-a"] = A, ["guest-b"] = B }, system.Current.Guests);
        Assert.Equal("06.0004 vfio_ap B guest-b", system.Queue("06.0004").View());
        Assert.Equal(1, system.Mdev(A).Version);
    }

    [Fact]
    public void AnEmptyDeviceMayBeAttached()
    {
        var system = NewSystem();
        system.CreateMdev(C, null).Ok();

        var device = system.AttachGuest(C, "guest-c").Ok().Device!;

        Assert.Equal("guest-c", device.Guest);
        Assert.Empty(device.Shadow.Apqns);
    }

    [Fact]
    public void DetachingRemovesTheGuestEverywhereAndDetachingAgainIsANoOp()
    {
        var system = NewSystem();

        var device = system.DetachGuest(A).Ok().Device!;

        Assert.Null(device.Guest);
        Assert.Equal(2, device.Version);
        Assert.Empty(system.Current.Guests);
        Assert.Equal("05.0004 vfio_ap A null", system.Queue("05.0004").View());
        Assert.Equal([Q("05.0004"), Q("05.0047")], device.Shadow.Apqns);
        var before = system.Current;
        Assert.False(system.DetachGuest(A).Ok().Changed);
        Assert.Same(before, system.Current);

        system.AttachGuest(B, "guest-a").Ok();
        Assert.Equal(new Dictionary<string, MdevId> { ["guest-a"] = B }, system.Current.Guests);
        system.DeleteMdev(A).Ok();
    }

    [Theory]
    [InlineData("")]
    [InlineData("-guest")]
    [InlineData(".guest")]
    [InlineData("guest a")]
    [InlineData("gäst")]
    [InlineData("guest/a")]
    [InlineData("a12345678901234567890123456789012345678901234567890123456789012345")]
    public void GuestNamesOutsideTheAllowedAlphabetAreInvalid(string name)
    {
        var system = NewSystem();
        var before = system.Current;

        Assert.Equal("name", system.AttachGuest(B, name).Refused<InvalidInput>().Field);
        Assert.Same(before, system.Current);
    }

    [Theory]
    [InlineData("g")]
    [InlineData("9")]
    [InlineData("Guest.b_c-1")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")]
    public void GuestNamesOfAllowedCharactersAttach(string name)
    {
        var system = NewSystem();

        Assert.Equal(name, system.AttachGuest(B, name).Ok().Device!.Guest);
    }

    private static string[] NamedIds(IdOutOfRange refusal)
    {
        // Every offending id, named with its kind: the refusal itself and its further kinds.
        var named = new[] { refusal }.Concat(refusal.More).SelectMany(r => r.Ids.Select(id => $"{r.Kind} {id} (max {r.Max})"));
        return [.. named.Order(StringComparer.Ordinal)];
    }
}
