using ApManager.Core.Host;

namespace ApManager.Core.Tests.Host.Sysfs;

/// <summary>Two host pictures are the same: each part compared on its own so a failure names it.</summary>
internal static class HostAssert
{
    public static void Same(HostState expected, HostState actual)
    {
        Assert.Equal(expected.Topology.MaxAdapterId, actual.Topology.MaxAdapterId);
        Assert.Equal(expected.Topology.MaxDomainId, actual.Topology.MaxDomainId);
        Assert.Equal(expected.Topology.UsageDomains, actual.Topology.UsageDomains);
        Assert.Equal(expected.Topology.ControlDomains, actual.Topology.ControlDomains);
        Assert.Equal(expected.Apmask, actual.Apmask);
        Assert.Equal(expected.Aqmask, actual.Aqmask);
        Assert.Equal(expected.Drivers.ToArray(), actual.Drivers.ToArray());
        Assert.Equal(expected.Cards, actual.Cards);
        Assert.Equal(expected.Queues, actual.Queues);
        Assert.Equal(expected.Devices.ToArray(), actual.Devices.ToArray());
        Assert.Equal(expected.VfioFeatures.ToArray(), actual.VfioFeatures.ToArray());
        Assert.Equal(expected.AvailableInstances, actual.AvailableInstances);
    }
}
