using ApManager.Core.Host.Sysfs;

namespace ApManager.Core.Tests.Host.Sysfs;

/// <summary>
/// Which kernel uevents make the watcher read the host at once: the messages as the kernel sends
/// them on NETLINK_KOBJECT_UEVENT (<c>ACTION@DEVPATH</c>, then NUL-separated <c>KEY=VALUE</c>).
/// </summary>
public sealed class UeventTests
{
    private static string Message(params string[] fields) => string.Join('\0', fields) + "\0";

    [Theory]
    // apmask_store: ap_send_mask_changed_uevent on the AP root device (bus ap); the value ends in a newline.
    [InlineData("change@/devices/ap", "ACTION=change", "DEVPATH=/devices/ap", "SUBSYSTEM=ap", "APMASK=0xf9ff\n", "SEQNUM=4711")]
    // zcrypt_card.c online_store: ap_send_online_uevent on the card.
    [InlineData("change@/devices/ap/card05", "ACTION=change", "DEVPATH=/devices/ap/card05", "SUBSYSTEM=ap", "DEVTYPE=ap_card", "ONLINE=0", "SEQNUM=4712")]
    // A queue rebound after a mask change (drivers/base/dd.c KOBJ_BIND).
    [InlineData("bind@/devices/ap/card05/05.0004", "ACTION=bind", "DEVPATH=/devices/ap/card05/05.0004", "SUBSYSTEM=ap", "DEVTYPE=ap_queue", "DRIVER=vfio_ap", "SEQNUM=4713")]
    // vfio_ap loaded: mdev_register_parent on the matrix device.
    [InlineData("change@/devices/vfio_ap/matrix", "ACTION=change", "DEVPATH=/devices/vfio_ap/matrix", "SUBSYSTEM=matrix", "MDEV_STATE=registered", "SEQNUM=4714")]
    // An mdev created by mdevctl (mdev_device_create: device_add).
    [InlineData("add@/devices/vfio_ap/matrix/0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11", "ACTION=add", "DEVPATH=/devices/vfio_ap/matrix/0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11", "SUBSYSTEM=mdev", "MDEV_TYPE=vfio_ap-passthrough", "SEQNUM=4715")]
    public void Events_of_the_AP_bus_vfio_ap_and_mdevs_concern_the_host(params string[] fields) =>
        Assert.True(UeventListener.Concerns(Message(fields)));

    [Theory]
    [InlineData("add@/devices/virtual/net/tap0", "ACTION=add", "DEVPATH=/devices/virtual/net/tap0", "SUBSYSTEM=net", "INTERFACE=tap0", "SEQNUM=1")]
    [InlineData("change@/devices/css0/0.0.0001/0.0.0100", "ACTION=change", "DEVPATH=/devices/css0/0.0.0001/0.0.0100", "SUBSYSTEM=ccw", "SEQNUM=2")]
    // udev's re-broadcast (libudev monitor, "libudev" magic) never names SUBSYSTEM=ap as a plain field of its own header.
    [InlineData("libudev", "SUBSYSTEM_AP=1")]
    // A driver whose name merely contains "ap" is not the AP bus.
    [InlineData("add@/bus/ap_like", "ACTION=add", "SUBSYSTEM=apx", "SEQNUM=3")]
    public void Other_events_do_not(params string[] fields) =>
        Assert.False(UeventListener.Concerns(Message(fields)));

    [Fact]
    public void An_empty_message_does_not() => Assert.False(UeventListener.Concerns(""));
}
