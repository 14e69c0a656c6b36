using ApManager.Core.Drivers;
using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Refusals;
using ApManager.Core.State;
using static ApManager.Core.Tests.Support.Demo;

namespace ApManager.Core.Tests.Matrix;

/// <summary>SPEC §6 guest matrix (shadow): re-derived in every step, whatever the cause.</summary>
public class GuestMatrixTests
{
    private static readonly Apqn[] DemoShadowA = [Q("05.0004"), Q("05.0047")];

    [Fact]
    public void TheDemoDevicesGuestMatricesEqualTheirMatrices()
    {
        var system = NewSystem();

        Assert.Equal(DemoShadowA, system.Mdev(A).Assignment.Matrix);
        Assert.Equal(DemoShadowA, system.Mdev(A).Shadow.Apqns);
        Assert.Equal([4, 71], system.Mdev(A).Shadow.ControlDomains.ToArray());
        Assert.Equal([Q("06.0004")], system.Mdev(B).Shadow.Apqns);
    }

    [Fact]
    public void AssigningADomainHotPlugsItIntoTheGuestMatrix()
    {
        var system = NewSystem();

        var device = system.AssignDomain(A, 5).Ok().Device!;

        Assert.Equal([Q("05.0004"), Q("05.0005"), Q("05.0047")], device.Shadow.Apqns);
        Assert.Equal(2, device.Version);
        Assert.Equal("05.0005 vfio_ap A guest-a", system.Queue("05.0005").View());
        Assert.Equal(2, system.Queue("05.0005").Version);
        Assert.Equal(1, system.Queue("05.0004").Version);
    }

    [Fact]
    public void AssigningAnAdapterHotPlugsItIntoTheGuestMatrix()
    {
        var system = NewSystem();
        system.DeleteMdev(B).Ok();

        var device = system.AssignAdapter(A, 6).Ok().Device!;

        Assert.Equal([Q("05.0004"), Q("05.0047"), Q("06.0004"), Q("06.0047")], device.Shadow.Apqns);
        Assert.Equal("06.0047 vfio_ap A guest-a", system.Queue("06.0047").View());
    }

    [Fact]
    public void AnAssignedAdapterThatDoesNotExistChangesTheMatrixButNotTheGuestMatrix()
    {
        var system = NewSystem();
        system.Apmask("-9").Ok();

        var device = system.AssignAdapter(A, 9).Ok().Device!;

        Assert.Equal([Q("05.0004"), Q("05.0047"), Q("09.0004"), Q("09.0047")], device.Assignment.Matrix);
        Assert.Equal(DemoShadowA, device.Shadow.Apqns);
        Assert.Equal(3, device.Version);
    }

    [Fact]
    public void AMaskChangeMovingOneQueueAwayFromVfioApDropsItsWholeAdapterAndMovingItBackPlugsItIn()
    {
        // A vfio_ap without an in_use callback (like a kernel before the callback existed) lets the
        // mask change through, so the guest matrix has to follow the mask alone.
        var system = NewSystem();
        system.UnregisterDriver("vfio_ap");
        system.RegisterDriver(new DriverDefinition("vfio_ap", IsDefault: false));
        system.AssignDomain(A, 5).Ok();
        system.Aqmask("-5,-71").Ok();
        Assert.Equal([Q("05.0004"), Q("05.0005"), Q("05.0047")], system.Mdev(A).Shadow.Apqns);
        var versionBefore = system.Mdev(A).Version;

        // Only 05.0004 becomes host-owned (aqmask lacks 5 and 71) ...
        var away = system.Apmask("+5").Ok();

        Assert.Equal(
            ["05.0004 vfio_ap->cex4queue", "05.0006 vfio_ap->cex4queue", "05.0048 vfio_ap->cex4queue"],
            Describe(away.Rebound));
        // ... yet the whole adapter leaves the guest: 05.0005 and 05.0047 stay on vfio_ap without a guest.
        Assert.Empty(system.Mdev(A).Shadow.Apqns);
        Assert.Equal("05.0004 cex4queue A null", system.Queue("05.0004").View());
        Assert.Equal("05.0005 vfio_ap A null", system.Queue("05.0005").View());
        Assert.Equal("05.0047 vfio_ap A null", system.Queue("05.0047").View());
        Assert.Equal(system.Current.Version, system.Mdev(A).Version);
        Assert.NotEqual(versionBefore, system.Mdev(A).Version);

        var back = system.Apmask("-5").Ok();

        Assert.Equal(
            ["05.0004 cex4queue->vfio_ap", "05.0006 cex4queue->vfio_ap", "05.0048 cex4queue->vfio_ap"],
            Describe(back.Rebound));
        Assert.Equal([Q("05.0004"), Q("05.0005"), Q("05.0047")], system.Mdev(A).Shadow.Apqns);
        Assert.Equal("05.0005 vfio_ap A guest-a", system.Queue("05.0005").View());
        Assert.Equal(system.Current.Version, system.Mdev(A).Version);
    }

    [Fact]
    public void AQueueJoiningVfioApThroughTheRegistryOrAMaskCompletesTheAdapterAgain()
    {
        // The genuine vfio_ap is away while adapter 5 joins the host (SPEC §10.1), then returns.
        var system = NewSystem();
        system.UnregisterDriver("vfio_ap");
        system.Apmask("+5").Ok();
        system.RegisterDriver(WellKnownDrivers.VfioApDriver);

        Assert.Empty(system.Mdev(A).Shadow.Apqns);
        Assert.Equal("05.0004 cex4queue A null", system.Queue("05.0004").View());

        var change = system.Apmask("-5").Ok();

        Assert.Equal(5, change.Rebound.Count);
        Assert.All(change.Rebound, r => Assert.Equal(("cex4queue", "vfio_ap"), (r.From, r.To)));
        Assert.Equal(DemoShadowA, system.Mdev(A).Shadow.Apqns);
        Assert.Equal("05.0004 vfio_ap A guest-a", system.Queue("05.0004").View());
    }

    [Fact]
    public void UnregisteringVfioApEmptiesEveryGuestMatrixAndReRegisteringRestoresThem()
    {
        var system = NewSystem();
        system.AttachGuest(B, "guest-b").Ok();

        system.UnregisterDriver("vfio_ap");

        Assert.Empty(system.Mdev(A).Shadow.Apqns);
        Assert.Empty(system.Mdev(B).Shadow.Apqns);
        Assert.Equal(DemoShadowA, system.Mdev(A).Assignment.Matrix);
        Assert.Equal("05.0004 null A null", system.Queue("05.0004").View());
        Assert.Equal("06.0004 null B null", system.Queue("06.0004").View());

        system.RegisterDriver(WellKnownDrivers.VfioApDriver);

        Assert.Equal(DemoShadowA, system.Mdev(A).Shadow.Apqns);
        Assert.Equal("06.0004 vfio_ap B guest-b", system.Queue("06.0004").View());
    }

    [Fact]
    public void DeconfiguringAnAdapterRemovesItsQueuesAndUnplugsItConfiguringBringsThemBack()
    {
        var system = NewSystem();

        var off = system.SetAdapterConfigured(5, false).Ok();

        Assert.Equal((false, false, 2L), (off.Adapter.Configured, off.Adapter.Online, off.Adapter.Version));
        Assert.Null(system.Current.Queue(Q("05.0004")));
        Assert.Empty(system.Current.QueuesOf(5));
        Assert.Equal(20, system.Current.Queues.Count());
        Assert.False(system.Current.ConfiguredAdapters.Contains(5));
        Assert.Empty(system.Mdev(A).Shadow.Apqns);
        Assert.Equal(DemoShadowA, system.Mdev(A).Assignment.Matrix);
        Assert.Equal(2, system.Mdev(A).Version);
        Assert.Equal(1, system.Mdev(B).Version);
        Assert.Equal(1, system.Current.Bus.Version);

        var on = system.SetAdapterConfigured(5, true).Ok();

        Assert.Equal((true, 3L), (on.Adapter.Configured, on.Adapter.Version));
        Assert.Equal(25, system.Current.Queues.Count());
        Assert.Equal(DemoShadowA, system.Mdev(A).Shadow.Apqns);
        Assert.Equal(3, system.Mdev(A).Version);
        Assert.Equal(
            ["05.0004 vfio_ap A guest-a", "05.0005 vfio_ap null null", "05.0006 vfio_ap null null", "05.0047 vfio_ap A guest-a", "05.0048 vfio_ap null null"],
            system.Current.QueuesOf(5).Select(q => q.View()));
        Assert.All(system.Current.QueuesOf(5), q => Assert.Equal(3, q.Version));
    }

    [Fact]
    public void AQueueReappearingOnConfigureBindsByTheMasksInForceThen()
    {
        var system = NewSystem();
        system.SetAdapterConfigured(7, false).Ok();
        system.Apmask("-7").Ok();

        system.SetAdapterConfigured(7, true).Ok();

        Assert.All(system.Current.QueuesOf(7), q => Assert.Equal("vfio_ap", q.Driver));
        Assert.Equal(5, system.Current.QueuesOf(7).Count());
    }

    [Fact]
    public void DeconfiguringAnAdapterNoDeviceUsesLeavesDevicesUntouched()
    {
        var system = NewSystem();
        var a = system.Mdev(A);

        system.SetAdapterConfigured(7, false).Ok();

        Assert.Same(a, system.Mdev(A));
        Assert.Equal(1, system.Current.Adapter(3)!.Version);
        Assert.Equal(2, system.Current.Adapter(7)!.Version);
    }

    [Fact]
    public void ConfiguringChecksTheAdapterExistsAndIfMatchAndIsIdempotent()
    {
        var system = NewSystem();
        var before = system.Current;

        Assert.Equal(new NotFound("adapter", "9"), system.SetAdapterConfigured(9, false).Refused<NotFound>());
        Assert.Equal(new VersionMismatch("adapter", 2, 1), system.SetAdapterConfigured(5, false, new WriteOptions(IfMatch: 2)).Refused<VersionMismatch>());
        Assert.Empty(system.SetAdapterConfigured(5, true).Ok().Rebound);
        Assert.Same(before, system.Current);

        var dry = system.SetAdapterConfigured(5, false, new WriteOptions(IfMatch: 1, DryRun: true)).Ok();
        Assert.Equal((false, 2L, true), (dry.Adapter.Configured, dry.Adapter.Version, dry.DryRun));
        Assert.Same(before, system.Current);
    }

    [Fact]
    public void OnlyHostControlDomainsReachTheGuest()
    {
        var topology = new HostTopology(63, 84, HostTopology.Demo.Adapters, ApMask.Of(4, 5, 6, 71, 72), ApMask.Range(0, 10));
        var system = ApSystem.InMemory(topology, Seeds.Demo);

        system.Assign(A, AssignTarget.ControlDomain, 9, true).Ok();

        Assert.Equal([4, 9, 71], system.Mdev(A).ControlDomains.ToArray());
        Assert.Equal([4, 9], system.Mdev(A).Shadow.ControlDomains.ToArray());
    }

    [Fact]
    public void AnAdapterOfATypeVfioApRejectsStaysUnboundAndOutOfTheGuestMatrix()
    {
        var topology = new HostTopology(63, 84, [.. HostTopology.Demo.Adapters, new AdapterSpec(8, new CardType(3, CardMode.Cca))], ApMask.Of(4, 5, 6, 71, 72), ApMask.Range(0, 84));
        var system = ApSystem.InMemory(topology, Seeds.Demo);
        system.Apmask("-8").Ok();
        system.CreateMdev(C, null).Ok();
        system.AssignAdapter(C, 8).Ok();
        system.AssignAdapter(C, 7).Ok();
        system.Apmask("-7").Ok();
        system.AttachGuest(C, "guest-c").Ok();

        system.AssignDomain(C, 5).Ok();

        Assert.Equal("08.0005 null C null", system.Queue("08.0005").View());
        Assert.Equal([Q("07.0005")], system.Mdev(C).Shadow.Apqns);
        Assert.Equal("07.0005 vfio_ap C guest-c", system.Queue("07.0005").View());
    }
}
