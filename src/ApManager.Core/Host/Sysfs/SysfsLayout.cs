using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.Host.Sysfs;

/// <summary>Where the AP picture lives under a root (SPEC §11.2): the root is a prefix, like s390-tools' SYSFS_ROOT.</summary>
public sealed class SysfsLayout
{
    public SysfsLayout(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = root.EndsWith('/') ? root : root + "/";
        Bus = Root + "sys/bus/ap/";
        Devices = Root + "sys/devices/ap/";
        Matrix = Root + "sys/devices/vfio_ap/matrix/";
        Types = Matrix + "mdev_supported_types/vfio_ap-passthrough/";
    }

    public string Root { get; }

    /// <summary><c>sys/bus/ap/</c>: masks, QCI, drivers.</summary>
    public string Bus { get; }

    public string Drivers => Bus + "drivers/";

    /// <summary><c>sys/devices/ap/</c>: the cards and their queues.</summary>
    public string Devices { get; }

    public string Card(int adapter) => $"{Devices}card{adapter:x2}/";

    public string Queue(Apqn apqn) => $"{Card(apqn.Adapter)}{apqn}/";

    /// <summary><c>sys/devices/vfio_ap/matrix/</c>: vfio_ap's matrix device.</summary>
    public string Matrix { get; }

    /// <summary>The vfio_ap-passthrough mdev type: <c>create</c>, <c>available_instances</c>, <c>devices/</c>.</summary>
    public string Types { get; }

    public string Device(MdevId id) => $"{Matrix}{id}/";

    /// <summary>libvirt's status files of running domains.</summary>
    public string LibvirtRunning => Root + "run/libvirt/qemu/";

    /// <summary>libvirt's defined domains.</summary>
    public string LibvirtDefined => Root + "etc/libvirt/qemu/";

    /// <summary>The s390-tools configuration lock.</summary>
    public string LockFile => Root + "run/lock/s390apconfig.lock";
}
