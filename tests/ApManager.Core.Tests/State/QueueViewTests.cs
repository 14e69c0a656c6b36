using ApManager.Core.Masks;
using ApManager.Core.State;
using ApManager.Core.Tests.Support;
using static ApManager.Core.Tests.Support.Demo;

namespace ApManager.Core.Tests.State;

/// <summary>SPEC §3 queue view and §8 per-resource versions, starting from the §7 demo state.</summary>
public class QueueViewTests
{
    [Fact]
    public void TheDemoStateHas25QueuesTenOnVfioApAndTheDocumentedMasks()
    {
        var s = NewSystem().Current;

        string[] expected =
        [
            .. Row(3, "cex4queue null null"), .. Row(4, "cex4queue null null"),
            "05.0004 vfio_ap A guest-a", "05.0005 vfio_ap null null", "05.0006 vfio_ap null null", "05.0047 vfio_ap A guest-a", "05.0048 vfio_ap null null",
            "06.0004 vfio_ap B null", "06.0005 vfio_ap null null", "06.0006 vfio_ap null null", "06.0047 vfio_ap null null", "06.0048 vfio_ap null null",
            .. Row(7, "cex4queue null null"),
        ];
        Assert.Equal(expected, s.Queues.Select(q => q.View()));
        Assert.All(s.Queues, q => Assert.Equal((true, 1L), (q.Online, q.Version)));
        Assert.Equal(("0xf9" + new string('f', 62), MaskText.F, 1L), (s.Bus.Apmask.ToString(), s.Bus.Aqmask.ToString(), s.Bus.Version));
        Assert.Equal(1, s.Version);
        Assert.Equal([3, 4, 5, 6, 7], s.Adapters.Select(a => a.Id));
        Assert.All(s.Adapters, a => Assert.Equal((true, 1L), (a.Configured, a.Version)));
        Assert.Equal(["CEX8C", "CEX8P", "CEX8C", "CEX8C", "CEX7A"], s.Adapters.Select(a => a.Type.ToString()));
        Assert.Equal([(A, "payments-a", "guest-a", 1L), (B, "batch-b", null, 1L)], s.Mdevs.Select(m => (m.Id, m.Name, m.Guest, m.Version)));
        Assert.Equal(new Dictionary<string, Core.Matrix.MdevId> { ["guest-a"] = A }, s.Guests);
    }

    [Fact]
    public void SeedNoneHasAllOnesMasksNoDevicesAndEveryQueueOnCex4queue()
    {
        var s = NewUnseededSystem().Current;

        Assert.Equal((MaskText.F, MaskText.F), (s.Bus.Apmask.ToString(), s.Bus.Aqmask.ToString()));
        Assert.Empty(s.Mdevs);
        Assert.Empty(s.Guests);
        Assert.Equal(25, s.Queues.Count());
        Assert.All(s.Queues, q => Assert.Equal("cex4queue", q.Driver));
        Assert.Equal(1, s.Version);
    }

    [Fact]
    public void QueueLookupsReturnNullWhereNoQueueExists()
    {
        var s = NewSystem().Current;

        Assert.Equal("05.0004 vfio_ap A guest-a", s.Queue(Q("05.0004"))!.View());
        Assert.Null(s.Queue(Q("05.0007")));   // not a usage domain
        Assert.Null(s.Queue(Q("09.0004")));   // no such adapter
        Assert.Null(s.Adapter(9));
        Assert.Equal([4, 5, 6, 71, 72], s.QueuesOf(5).Select(q => (int)q.Apqn.Domain));
        Assert.Empty(s.QueuesOf(300));
    }

    [Fact]
    public void PerResourceVersionsChangeOnlyWhenTheirRepresentationChanges()
    {
        var system = NewSystem();
        long V(string apqn) => system.Queue(apqn).Version;

        system.AttachGuest(B, "guest-b").Ok();                              // step 2
        Assert.Equal((2L, 1L, 1L), (system.Mdev(B).Version, system.Mdev(A).Version, system.Current.Bus.Version));
        Assert.Equal((2L, 1L, 1L), (V("06.0004"), V("06.0005"), V("05.0004")));

        system.Apmask("-7").Ok();                                           // step 3
        Assert.Equal((3L, 1L, 2L), (system.Current.Bus.Version, system.Mdev(A).Version, system.Mdev(B).Version));
        Assert.Equal((3L, 2L, 1L), (V("07.0004"), V("06.0004"), V("03.0004")));

        system.AssignDomain(A, 5).Ok();                                     // step 4
        Assert.Equal((4L, 2L, 3L), (system.Mdev(A).Version, system.Mdev(B).Version, system.Current.Bus.Version));
        Assert.Equal((4L, 1L, 1L), (V("05.0005"), V("05.0004"), V("05.0006")));

        system.Aqmask("-72").Ok();                                          // step 5: 03/04.0048 move, A's guest matrix does not
        Assert.Equal((5L, 4L), (system.Current.Bus.Version, system.Mdev(A).Version));
        Assert.Equal((5L, 5L, 3L, 1L), (V("03.0048"), V("04.0048"), V("07.0048"), V("05.0048")));

        system.SetAdapterConfigured(7, false).Ok();                         // step 6
        Assert.Equal((6L, 1L, 5L), (system.Current.Adapter(7)!.Version, system.Current.Adapter(3)!.Version, system.Current.Bus.Version));
        Assert.Equal((4L, 2L), (system.Mdev(A).Version, system.Mdev(B).Version));

        system.DetachGuest(A).Ok();                                         // step 7
        Assert.Equal((7L, 7L, 7L, 1L), (V("05.0004"), V("05.0005"), V("05.0047"), V("05.0006")));
        Assert.Equal((7L, 2L), (system.Mdev(A).Version, system.Mdev(B).Version));
        Assert.Equal(7, system.Current.Version);
    }

    [Fact]
    public void AnInUseQueryCoversWhatTheVfioApCallbackIntersects()
    {
        var s = NewSystem().Current;

        var offenders = Core.Drivers.WellKnownDrivers.VfioApInUse(s, new Core.Drivers.InUseQuery(ApMask.Of(5), ApMask.Of(71), ApMask.Of(5, 6), ApMask.Of(4)));

        Assert.Equal([$"05.0004 vfio_ap {A} guest-a", $"05.0047 vfio_ap {A} guest-a", $"06.0004 vfio_ap {B} -"], Describe(offenders));
    }

    private static IEnumerable<string> Row(int adapter, string rest) =>
        new[] { 4, 5, 6, 71, 72 }.Select(d => $"{new Apqn((byte)adapter, (byte)d)} {rest}");
}
